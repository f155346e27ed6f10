import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';

/**
 * Hands whatever a Kafka handler threw to the transport unchanged. Nest's default filter for message
 * handlers replaces every error it does not know with `{ status: 'error', message: 'Internal server
 * error' }`, and the transport then cannot tell an outage (the database restarting: retry the batch)
 * from a message at fault (dead-letter it): every outage would dead-letter the messages in flight.
 * Put it on every controller with `@EventPattern` handlers (`@UseFilters(KafkaHandlerErrorFilter)`):
 * a global filter would not do, since a hybrid application's microservice takes no global filter
 * after it is connected, and the application's own would catch HTTP errors too.
 */
@Catch()
export class KafkaHandlerErrorFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
