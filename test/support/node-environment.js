'use strict';
// The jest environment of every project: jest's own `node` environment, plus Node's own require for
// the ES-module-only packages that jest 29 cannot load (see test/support/native-require).
const { TestEnvironment } = require('jest-environment-node');
const { createRequire } = require('node:module');
const { join } = require('node:path');

class FlintNodeEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__flintNativeRequire = createRequire(
      join(config.projectConfig.rootDir, 'package.json'),
    );
  }
}

module.exports = FlintNodeEnvironment;
