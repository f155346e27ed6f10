import { createHash } from 'node:crypto';

/**
 * The delay of one slot, in [0, maxMs): derived from the source id and slot so every replica (and a
 * restarted one) waits the same time and they claim the slot together instead of racing apart.
 */
export function slotJitterMs(sourceId: string, slot: number, maxMs: number): number {
  if (maxMs <= 0) return 0;
  const digest = createHash('sha256').update(`${sourceId}@${slot}`).digest();
  return digest.readUInt32BE(0) % maxMs;
}
