import { registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * Flint's own copy of @flint/sdk: `libs/sdk/src` beside this lib, in the source tree (tests) and in
 * the compiled `dist/` alike.
 */
export const SDK_ENTRY = require.resolve('../../sdk/src');

let installed = false;

/**
 * Makes `@flint/sdk` in user code resolve to Flint's own copy, so a folder of user code needs no
 * node_modules of its own and cannot load an SDK of another version than the runner's. Node's module
 * hooks are per thread: a worker thread that loads user code calls this too.
 */
export function resolveSdkToFlintsOwn(): void {
  if (installed) return;
  installed = true;
  const url = pathToFileURL(SDK_ENTRY).href;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === '@flint/sdk') return { url, shortCircuit: true };
      return nextResolve(specifier, context);
    },
  });
}
