#!/usr/bin/env node
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const compiled = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!existsSync(compiled)) {
  process.stderr.write('flint: the CLI is not built yet; run "npm run build" first\n');
  process.exit(1);
}
require(compiled);
