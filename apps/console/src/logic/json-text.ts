/**
 * JSON a person types (an event's data, a run's input): the value, or why it is not JSON. With
 * `allowEmpty`, an empty text means no value at all.
 */
export function parseJsonText(
  text: string,
  allowEmpty = false,
): { value?: unknown; error?: string } {
  if (allowEmpty && text.trim() === '') return {};
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    return { error: `not JSON: ${(err as Error).message}` };
  }
}
