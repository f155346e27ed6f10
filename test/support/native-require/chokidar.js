'use strict';
// chokidar is an ES module only, and jest 29 (pinned, see jest.config.js) refuses to require() one, while
// Node 24 itself can. jest.config.js maps 'chokidar' to this file, which loads it with Node's own require
// (handed over by test/support/node-environment.js), outside jest's module registry.
module.exports = globalThis.__flintNativeRequire('chokidar');
