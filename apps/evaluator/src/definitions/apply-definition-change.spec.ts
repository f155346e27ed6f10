import { CelEngine, compileTrigger } from '@flint/conditions';
import { storedSource, storedTrigger } from '../testing/triggers';
import { applyDefinitionChange, reportUnresolvedSources } from './apply-definition-change';
import { TriggerIndex } from './trigger-index';

describe('applying definition changes', () => {
  let engine: CelEngine;
  let index: TriggerIndex;
  let logged: { level: string; message: string; fields?: Record<string, unknown> }[];
  const log = (level: string, message: string, fields?: Record<string, unknown>) =>
    logged.push({ level, message, fields });

  beforeAll(async () => {
    engine = await CelEngine.create();
  });

  beforeEach(() => {
    index = new TriggerIndex((definition) => compileTrigger(engine, definition));
    logged = [];
  });

  it('adds, replaces and removes sources and triggers', () => {
    const trigger = storedTrigger({ id: 't', sources: ['s'] });
    applyDefinitionChange(index, { kind: 'trigger', id: 't', current: trigger }, log);
    applyDefinitionChange(
      index,
      {
        kind: 'source',
        id: 's',
        current: storedSource({ id: 's', provider: 'event', config: { types: ['x'] } }),
      },
      log,
    );
    expect(index.get('t')?.version).toBe(1);
    expect(index.unresolvedSourcesOf('t')).toEqual([]);
    applyDefinitionChange(index, { kind: 'trigger', id: 't' }, log);
    expect(index.get('t')).toBeUndefined();
  });

  it('logs a trigger whose expressions do not compile as an error', () => {
    applyDefinitionChange(
      index,
      {
        kind: 'trigger',
        id: 'bad',
        current: storedTrigger({ id: 'bad', eventTypes: ['x'], condition: '1 +' }),
      },
      log,
    );
    expect(logged).toEqual([
      {
        level: 'error',
        message: 'trigger expressions do not compile; events that reach it count as errors',
        fields: expect.objectContaining({ triggerId: 'bad', version: 1 }),
      },
    ]);
  });

  it('warns, once everything is read, about sources that were never defined', () => {
    applyDefinitionChange(
      index,
      { kind: 'trigger', id: 't', current: storedTrigger({ id: 't', sources: ['nowhere'] }) },
      log,
    );
    // While the topic is read the source may just be on another partition: no warning yet.
    expect(logged.map((entry) => entry.level)).toEqual(['debug']);
    reportUnresolvedSources(index, log);
    expect(logged[1]).toEqual({
      level: 'warn',
      message: 'trigger names sources that are not defined; they feed it nothing until they are',
      fields: { triggerId: 't', sources: ['nowhere'] },
    });
  });
});
