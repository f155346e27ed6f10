import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import schema from '../../../../libs/contracts/json-schema/trigger.schema.json';
import { pathOf, type SchemaError, schemaIssues } from './schema-issues';

/** The validator the build compiles (see build/trigger-schema-plugin.mts), here at run time. */
const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });
addFormats(ajv);
const validate = ajv.compile(schema);

function issues(draft: unknown) {
  validate(draft);
  return schemaIssues((validate.errors ?? []) as SchemaError[]);
}

const target = { type: 'local', workflow: 'echo' };

describe('schemaIssues', () => {
  it('finds nothing in a valid trigger', () => {
    expect(issues({ kind: 'trigger', id: 'a', sources: ['github'], target })).toEqual([]);
  });

  it('names required and unknown keys by their own path', () => {
    expect(
      issues({
        kind: 'trigger',
        id: 'a',
        sources: ['github'],
        target: { type: 'local' },
        colour: 'red',
      }),
    ).toEqual([
      { path: 'colour', message: 'unknown key "colour"' },
      { path: 'target.workflow', message: 'required' },
    ]);
  });

  it('reports only the branch of a union the draft was meant for', () => {
    const found = issues({
      kind: 'trigger',
      id: 'a',
      sources: [{ provider: 'cron', config: { schedule: 5 } }],
      target: { type: 'http', url: 'https://x.example', method: 'HEAD' },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        { path: 'sources[0].config.schedule', message: 'must be string' },
        { path: 'target.method', message: 'must be one of: POST, PUT, PATCH, GET, DELETE' },
      ]),
    );
    expect(found.some((issue) => issue.path === 'sources[0]')).toBe(false);
    expect(found.some((issue) => issue.path.startsWith('target.workflow'))).toBe(false);
  });

  it('explains a pattern with the schema’s own description', () => {
    expect(issues({ kind: 'trigger', id: 'Not A Slug', sources: ['github'], target })).toEqual([
      {
        path: 'id',
        message: expect.stringMatching(/^must be a lowercase slug of at most 63 characters/),
      },
    ]);
  });

  it('turns JSON pointers into the API’s paths', () => {
    expect(pathOf('/sources/0/config/path')).toBe('sources[0].config.path');
    expect(pathOf('/input/odd key')).toBe('input["odd key"]');
    expect(pathOf('/target/headers/a~1b')).toBe('target.headers["a/b"]');
  });
});
