import { sharedCounter } from '@flint/service-kit';
import type { Counter, Registry } from 'prom-client';

export const EVENTS_RECEIVED_METRIC = 'triggers_events_received_total';

/** Events accepted from the outside world and acknowledged by Kafka, per provider. */
export function eventsReceivedCounter(registry: Registry): Counter<'provider'> {
  return sharedCounter(registry, {
    name: EVENTS_RECEIVED_METRIC,
    help: 'Events accepted by a provider and acknowledged by Kafka.',
    labelNames: ['provider'],
  });
}
