import { z } from 'zod';
import { DefinitionSchema } from './definition';
import { SourceDefinitionSchema } from './sources/source-definition';
import { TriggerDefinitionSchema } from './triggers/trigger-definition';

const SCHEMAS = {
  'source.schema.json': { title: 'Flint source definition', schema: SourceDefinitionSchema },
  'trigger.schema.json': { title: 'Flint trigger definition', schema: TriggerDefinitionSchema },
  'definition.schema.json': { title: 'Flint definition', schema: DefinitionSchema },
} as const;

/**
 * The JSON Schemas of definition files (for editors and the docs), by file name, as the file text.
 * They describe what users write, the input side, so fields with defaults are optional.
 */
export function buildJsonSchemas(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [file, { title, schema }] of Object.entries(SCHEMAS)) {
    const { $schema, ...rest } = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' });
    files[file] = `${JSON.stringify({ $schema, title, ...rest }, null, 2)}\n`;
  }
  return files;
}
