import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type Definition, definitionKey, DefinitionSchema } from './definition';
import { formatZodIssues } from './format-issues';

const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
const files = readdirSync(EXAMPLES, { recursive: true, encoding: 'utf8' })
  .filter((file) => /\.(ya?ml|json)$/.test(file))
  .sort();

function load(file: string): Definition[] {
  const documents = parseAllDocuments(readFileSync(join(EXAMPLES, file), 'utf8'));
  const list = Array.isArray(documents) ? documents : [documents];
  return list.map((document, index) => {
    expect(document.errors).toEqual([]);
    const parsed = DefinitionSchema.safeParse(document.toJS());
    if (!parsed.success) {
      const problems = formatZodIssues(parsed.error).map((p) => `${p.path}: ${p.message}`);
      throw new Error(`${file} (document ${index + 1}) is invalid:\n${problems.join('\n')}`);
    }
    return parsed.data;
  });
}

describe('examples/', () => {
  it('has example files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s holds only valid definitions', (file) => {
    expect(load(file).length).toBeGreaterThan(0);
  });

  it('defines each definition once and references only sources it defines', () => {
    const definitions = files.flatMap(load);
    const keys = definitions.map(definitionKey);
    expect(new Set(keys).size).toBe(keys.length);
    for (const definition of definitions) {
      if (definition.kind !== 'trigger') continue;
      for (const source of definition.sources ?? []) {
        if (typeof source === 'string') expect(keys).toContain(`source:${source}`);
      }
    }
  });

  it('includes the demo the README points to', () => {
    const definitions = new Map(files.flatMap(load).map((d) => [definitionKey(d), d]));
    expect(definitions.get('source:demo')).toMatchObject({
      provider: 'webhook',
      config: { path: 'demo', auth: { type: 'none' } },
    });
    expect(definitions.get('trigger:demo-echo')).toMatchObject({
      sources: ['demo'],
      target: { type: 'local', workflow: 'echo' },
    });
  });
});
