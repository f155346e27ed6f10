import { type DependencyList, useCallback, useEffect, useEffectEvent, useState } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload(): void;
}

interface Outcome<T> {
  /** The dependencies the answer was loaded for. */
  deps: readonly unknown[];
  data?: T;
  error?: Error;
}

function sameDeps(a: readonly unknown[] | undefined, b: readonly unknown[]): boolean {
  return a !== undefined && a.length === b.length && a.every((value, i) => Object.is(value, b[i]));
}

/**
 * Runs `load` when `deps` change (and on `reload`), keeping the last data while a new load runs;
 * the answer of a superseded load is dropped.
 */
export function useLoad<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
): Loaded<T> {
  const [tick, setTick] = useState(0);
  const [outcome, setOutcome] = useState<Outcome<T>>();
  const current = [...deps, tick];
  const run = useEffectEvent((signal: AbortSignal) => load(signal));
  useEffect(() => {
    const controller = new AbortController();
    const forDeps = [...deps, tick];
    run(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setOutcome({ deps: forDeps, data });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setOutcome((previous) => ({
          deps: forDeps,
          data: previous?.data,
          error: error instanceof Error ? error : new Error(String(error)),
        }));
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller's deps decide when to reload
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return {
    data: outcome?.data,
    error: sameDeps(outcome?.deps, current) ? outcome?.error : undefined,
    loading: !sameDeps(outcome?.deps, current),
    reload,
  };
}

/** Calls `fn` every `ms` while the page is visible. */
export function useInterval(fn: () => void, ms: number | undefined): void {
  const tick = useEffectEvent(fn);
  useEffect(() => {
    if (ms === undefined) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') tick();
    }, ms);
    return () => clearInterval(timer);
  }, [ms]);
}

/** A value that changes only once `value` stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

export interface CursorPages {
  /** The cursor of the page shown; none on the first. */
  cursor: string | undefined;
  page: number;
  next: (cursor: string) => void;
  previous: () => void;
}

/**
 * Keyset pages: the cursors of the pages before this one, so Previous goes back exactly where the
 * person was, and Next follows the API's `nextCursor`. Back to the first page when `resetKey`
 * (the filters) changes.
 */
export function useCursorPages(resetKey: string): CursorPages {
  const [state, setState] = useState<{ key: string; cursors: string[] }>({
    key: resetKey,
    cursors: [],
  });
  const cursors = state.key === resetKey ? state.cursors : [];
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length + 1,
    next: (cursor: string) => setState({ key: resetKey, cursors: [...cursors, cursor] }),
    previous: () => setState({ key: resetKey, cursors: cursors.slice(0, -1) }),
  };
}
