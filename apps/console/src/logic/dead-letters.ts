import type { DeadLetterResendResult } from '@flint/contracts';

/** Why a message is a dead letter (the API's `reason`). */
export const DEAD_LETTER_REASONS = ['undecodable', 'invalid', 'processing-failed', 'too-large'];

/** What a re-send did, in a sentence: how many went back, as which runs, and what could not. */
export function resendSummary(result: DeadLetterResendResult): string {
  const parts = [`Re-sent ${result.resent.length}.`];
  const runs = result.resent.filter((r) => r.runId).length;
  if (runs > 0) parts.push(`${runs} of them as new ${runs === 1 ? 'run' : 'runs'}.`);
  if (result.notResendable.length > 0) {
    const first = result.notResendable[0]!;
    parts.push(
      `${result.notResendable.length} cannot be re-sent (#${first.id}: ${first.why}); send ${
        result.notResendable.length === 1 ? 'it' : 'them'
      } again upstream.`,
    );
  }
  if (result.more) parts.push('More match: re-send again for the rest.');
  return parts.join(' ');
}

/** A dead letter's value for reading: indented JSON when it is JSON text, else as it is. */
export function readableValue(value: string | null, encoding: 'utf8' | 'base64'): string {
  if (value === null) return '(no value: a tombstone, or purged)';
  if (encoding === 'base64') return value;
  try {
    return JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    return value;
  }
}
