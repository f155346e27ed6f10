import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildJsonSchemas } from './json-schema';

const DIRECTORY = join(__dirname, '..', 'json-schema');

function checkedIn(file: string): string | undefined {
  try {
    return readFileSync(join(DIRECTORY, file), 'utf8');
  } catch {
    return undefined;
  }
}

describe('JSON Schemas of definition files', () => {
  const generated = buildJsonSchemas();

  it('are generated for sources, triggers and both', () => {
    expect(Object.keys(generated).sort()).toEqual([
      'definition.schema.json',
      'source.schema.json',
      'trigger.schema.json',
    ]);
  });

  it('are checked in exactly as generated from the zod schemas', () => {
    const stale = Object.entries(generated)
      .filter(([file, text]) => checkedIn(file) !== text)
      .map(([file]) => file);
    if (stale.length > 0) {
      throw new Error(
        `libs/contracts/json-schema is out of date (${stale.join(', ')}): run npm run schemas and commit the result`,
      );
    }
    expect(stale).toEqual([]);
  });

  it('describe what users write: defaults optional, keys strict, secrets by reference', () => {
    const source = JSON.parse(generated['source.schema.json']);
    const webhook = source.oneOf.find(
      (option: { properties: { provider: { const: string } } }) =>
        option.properties.provider.const === 'webhook',
    );
    expect(webhook.required).toEqual(['kind', 'id', 'provider', 'config']);
    expect(webhook.additionalProperties).toBe(false);
    expect(webhook.properties.config.required).toEqual(['path', 'auth']);
    const hmac = webhook.properties.config.properties.auth.oneOf[0];
    expect(hmac.required).toEqual(['type', 'secretRef']);
    expect(hmac.additionalProperties).toBe(false);

    const trigger = JSON.parse(generated['trigger.schema.json']);
    expect(trigger.required).toEqual(['kind', 'id', 'target']);
    expect(trigger.properties.retry.properties.maxAttempts.default).toBe(3);
    expect(
      trigger.properties.target.oneOf.map(
        (t: { properties: { type: { const: string } } }) => t.properties.type.const,
      ),
    ).toEqual(['http', 'kafka', 'local']);
  });
});
