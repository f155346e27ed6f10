import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildJsonSchemas } from '@flint/contracts';

/** Writes the JSON Schemas of definition files next to the contracts; a unit test keeps them in sync. */
const directory = join(__dirname, '..', 'libs', 'contracts', 'json-schema');
mkdirSync(directory, { recursive: true });
for (const [file, text] of Object.entries(buildJsonSchemas())) {
  const path = join(directory, file);
  writeFileSync(path, text);
  console.log(`wrote ${relative(process.cwd(), path)}`);
}
