import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { triggerSchemaPlugin } from './build/trigger-schema-plugin.mjs';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The web console: built by `npm run build` into `dist/console`, which the api serves at `/`.
 * Everything it loads is in that folder (clusters are often air-gapped); the builder and its
 * editors are a chunk of their own, loaded when first opened.
 */
export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: false,
  plugins: [triggerSchemaPlugin(here('../../libs/contracts/json-schema/trigger.schema.json'))],
  build: {
    outDir: here('../../dist/console'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // No data: URLs: the Content-Security-Policy allows only files from the console itself.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    // The first-load budget (300 kB of gzipped JavaScript) is checked by test/console/bundle-size.test.ts.
    chunkSizeWarningLimit: 800,
  },
  logLevel: 'warn',
});
