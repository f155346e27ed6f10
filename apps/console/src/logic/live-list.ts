/**
 * A loaded page with what a live stream brought since: items the page has are shown as the stream
 * last told them, in their place; the others go on top, newest first.
 */
export function withStreamed<T>(
  loaded: readonly T[] | undefined,
  /** Newest first; one entry per id. */
  streamed: readonly T[],
  idOf: (item: T) => string,
): T[] | undefined {
  if (!loaded) return undefined;
  const latest = new Map(streamed.map((item) => [idOf(item), item]));
  const known = new Set(loaded.map(idOf));
  return [
    ...streamed.filter((item) => !known.has(idOf(item))),
    ...loaded.map((item) => latest.get(idOf(item)) ?? item),
  ];
}
