import { DefinitionValidator, InvalidDefinitionsError } from './definition-validator';

const source = (id: string) => ({
  kind: 'source',
  id,
  provider: 'cron',
  config: { schedule: '* * * * *' },
});
const trigger = (id: string, sources: string[], condition?: string, workflow = 'echo') => ({
  kind: 'trigger',
  id,
  sources,
  target: { type: 'local', workflow },
  ...(condition ? { condition } : {}),
});

describe('DefinitionValidator', () => {
  const stored = new Set(['stored-src']);
  let workflows: string[] | undefined = ['echo'];
  const validator = new DefinitionValidator({
    checkExpressions: async (d) =>
      d.kind === 'trigger' && d.condition === 'broken'
        ? [{ path: 'condition', message: 'syntax error at 1:7' }]
        : [],
    sourceExists: async (id) => stored.has(id),
    missingSource: (id) => `source "${id}" does not exist`,
    localWorkflows: async () => workflows,
  });

  async function problems(run: () => Promise<unknown>) {
    try {
      await run();
    } catch (err) {
      if (err instanceof InvalidDefinitionsError) return err.issues;
      throw err;
    }
    throw new Error('expected InvalidDefinitionsError');
  }

  it('accepts a trigger whose source is stored or in the same batch', async () => {
    await expect(validator.validateOne(trigger('a', ['stored-src']))).resolves.toMatchObject({
      id: 'a',
      owner: 'default',
    });
    await expect(
      validator.validateBatch([trigger('a', ['new-src']), source('new-src')]),
    ).resolves.toHaveLength(2);
  });

  it('reports problems relative to one definition, or by batch position', async () => {
    expect(await problems(() => validator.validateOne(trigger('a', ['nope'])))).toEqual([
      { path: 'sources[0]', message: expect.stringContaining('"nope" does not exist') },
    ]);
    expect(
      await problems(() =>
        validator.validateBatch([source('ok'), trigger('a', ['ok'], 'broken'), { kind: 'x' }]),
      ),
    ).toEqual([
      { path: 'definitions[2].kind', message: expect.any(String) },
      { path: 'definitions[1].condition', message: 'syntax error at 1:7' },
    ]);
  });

  it('refuses a batch that defines one id twice', async () => {
    expect(await problems(() => validator.validateBatch([source('s'), source('s')]))).toEqual([
      {
        path: 'definitions[1].id',
        message: 'source:s is defined twice in this batch (first at definitions[0])',
      },
    ]);
  });

  it('refuses a local target no runner has, and checks none while no runner announced', async () => {
    expect(
      await problems(() => validator.validateOne(trigger('a', ['stored-src'], undefined, 'nope'))),
    ).toEqual([
      {
        path: 'target.workflow',
        message: 'the runner has no local workflow "nope" (it has: echo)',
      },
    ]);
    workflows = undefined;
    await expect(
      validator.validateOne(trigger('a', ['stored-src'], undefined, 'nope')),
    ).resolves.toMatchObject({ id: 'a' });
    workflows = ['echo'];
  });
});
