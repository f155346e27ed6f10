#!/usr/bin/env node
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');

// Flint runs on Node 24. Started by an older Node (`node bin/flint.js` in a shell whose Node is 20),
// hand over to the Node 24 that `npm ci` installed into node_modules/.bin (the `node` devDependency).
// Under Node 24 already (npm run flint, npx flint, the container image) nothing changes.
const projectNode = join(root, 'node_modules', '.bin', 'node');
if (Number(process.versions.node.split('.')[0]) < 24 && existsSync(projectNode)) {
  const result = spawnSync(projectNode, process.argv.slice(1), {
    stdio: 'inherit',
  });
  if (result.error) {
    process.stderr.write(`flint: could not start ${projectNode}: ${result.error.message}\n`);
    process.exit(1);
  }
  if (result.signal) process.kill(process.pid, result.signal);
  process.exit(result.status ?? 1);
}

const compiled = join(root, 'dist', 'apps', 'cli', 'src', 'main.js');
if (!existsSync(compiled)) {
  process.stderr.write('flint: the CLI is not built yet; run "npm run build" first\n');
  process.exit(1);
}
require(compiled);
