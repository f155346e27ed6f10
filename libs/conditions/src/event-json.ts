import type { CloudEvent } from '@flint/contracts';
import type { JsonValue } from './json-value';

/**
 * A CloudEvent as JSON, in the CloudEvents JSON format: binary data travels as `data_base64`. This is
 * the run input of a trigger that maps none.
 */
export function eventJson(event: CloudEvent): { [key: string]: JsonValue } {
  const json: { [key: string]: JsonValue } = {};
  for (const [name, value] of Object.entries(event)) {
    if (value === undefined) continue;
    if (name === 'data' && value instanceof Uint8Array) {
      json.data_base64 = Buffer.from(value).toString('base64');
    } else {
      json[name] = value as JsonValue;
    }
  }
  return json;
}

/** The CloudEvent that `eventJson` wrote; binary data comes back as a Buffer. */
export function eventFromJson(json: Record<string, unknown>): CloudEvent {
  // Most events carry JSON data: they are taken as they are, not copied (a backtest reads millions).
  if (!Object.hasOwn(json, 'data_base64')) return json as unknown as CloudEvent;
  const { data_base64: base64, ...rest } = json;
  if (typeof base64 !== 'string') return rest as unknown as CloudEvent;
  return { ...rest, data: Buffer.from(base64, 'base64') } as unknown as CloudEvent;
}
