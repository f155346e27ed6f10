import type * as Cel from '@marcbachmann/cel-js' with { 'resolution-mode': 'import' };

export type CelModule = typeof Cel;

let loading: Promise<CelModule> | undefined;

/**
 * The CEL implementation is published as an ES module only, and Flint compiles to CommonJS, so it is
 * loaded with a dynamic import once per process; everything after that is synchronous.
 */
export function loadCel(): Promise<CelModule> {
  loading ??= import('@marcbachmann/cel-js').catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}
