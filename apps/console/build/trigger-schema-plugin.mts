import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

const require = createRequire(import.meta.url);
const VIRTUAL_ID = 'virtual:trigger-schema';
const RESOLVED_ID = `\0${VIRTUAL_ID}`;

/**
 * `virtual:trigger-schema`: the trigger JSON Schema that `npm run schemas` generates from the
 * contracts, with a validator for it compiled by Ajv here, at build time, into plain code. Compiling
 * in the browser would need `eval` (`new Function`), which the console's Content-Security-Policy
 * forbids; this way the console checks drafts as people type with the project's own schema.
 */
export function triggerSchemaPlugin(schemaPath: string): Plugin {
  return {
    name: 'flint-trigger-schema',
    resolveId(id) {
      return id === VIRTUAL_ID ? RESOLVED_ID : undefined;
    },
    load(id) {
      if (id !== RESOLVED_ID) return undefined;
      this.addWatchFile(schemaPath);
      const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as object;
      return `${validatorModule(schema)}\nexport const schema = ${JSON.stringify(schema)};\n`;
    },
  };
}

/** Ajv's standalone ESM output, with its few `require`s of Ajv's runtime helpers made imports. */
function validatorModule(schema: object): string {
  const Ajv2020 = require('ajv/dist/2020.js').default as typeof import('ajv/dist/2020.js').default;
  const standaloneCode = require('ajv/dist/standalone/index.js')
    .default as typeof import('ajv/dist/standalone/index.js').default;
  const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
  const ajv = new Ajv2020({
    code: { source: true, esm: true },
    allErrors: true,
    strict: false,
    verbose: true,
  });
  addFormats(ajv);
  const code = standaloneCode(ajv, ajv.compile(schema));
  const imports: string[] = [];
  const body = code.replace(/require\("([^"]+)"\)/g, (_match: string, module: string) => {
    const name = `__runtime${imports.length}`;
    imports.push(`import * as ${name} from ${JSON.stringify(module)};`);
    return name;
  });
  return `${imports.join('\n')}\n${body}`;
}
