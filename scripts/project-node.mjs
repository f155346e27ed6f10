// Which Node runs the project's processes. Plain Node with no dependencies: `scripts/start.mjs` loads
// it on a fresh clone, under whatever Node the shell has, before anything is installed.
//
// Flint needs Node 24. `npm ci` installs it into node_modules/.bin/node (the npm registry's `node`
// package, a devDependency), so a machine whose own Node is older still runs everything on 24: npm
// scripts find it first on PATH, and what starts outside npm uses the path below.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The Node major version the project runs on; `engines` in package.json says the same. */
export const REQUIRED_NODE_MAJOR = 24;

/** node_modules/.bin of the checkout at `root`. */
export function projectBinDir(root) {
  return join(root, 'node_modules', '.bin');
}

/** The project's own Node (node_modules/.bin/node) once installed, else the Node running this. */
export function projectNode(root) {
  const installed = join(projectBinDir(root), 'node');
  try {
    accessSync(installed, constants.X_OK);
    return installed;
  } catch {
    return process.execPath;
  }
}

/** `env` with node_modules/.bin first on PATH, so `node`, `npm` and the tools' shebangs find Node 24. */
export function withProjectPath(env, root) {
  const bin = projectBinDir(root);
  const rest = (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '' && dir !== bin);
  return { ...env, PATH: [bin, ...rest].join(delimiter) };
}
