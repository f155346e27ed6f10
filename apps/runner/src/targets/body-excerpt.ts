/** Most bytes of a target's response body the runner reads and keeps. */
export const BODY_EXCERPT_BYTES = 4096;

export interface BodyExcerpt {
  text: string;
  /** The body went on beyond what was read. */
  truncated: boolean;
}

/**
 * Reads at most `limit` bytes of a response body and cancels the rest, so a huge (or endless) answer
 * neither fills memory nor keeps the attempt open. A body that breaks off (timeout, reset) yields what
 * arrived until then.
 */
export async function readBodyExcerpt(
  body: ReadableStream<Uint8Array> | null,
  limit: number = BODY_EXCERPT_BYTES,
): Promise<BodyExcerpt> {
  if (body === null) return { text: '', truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size > limit) {
        truncated = true;
        break;
      }
    }
  } catch {
    truncated = true;
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const bytes = Buffer.concat(chunks).subarray(0, limit);
  // A multi-byte character cut at the limit decodes to U+FFFD, which is honest about the cut.
  return { text: bytes.toString('utf8'), truncated };
}
