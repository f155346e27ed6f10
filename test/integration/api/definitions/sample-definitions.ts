import { type Definition, DefinitionSchema } from '@flint/contracts';

/** Valid definitions, parsed by the shared schema exactly as the API and CLI would. */
export function cronSource(id: string, overrides: Record<string, unknown> = {}): Definition {
  return DefinitionSchema.parse({
    kind: 'source',
    id,
    provider: 'cron',
    config: { schedule: '* * * * *', timezone: 'UTC' },
    ...overrides,
  });
}

export function localTrigger(id: string, overrides: Record<string, unknown> = {}): Definition {
  return DefinitionSchema.parse({
    kind: 'trigger',
    id,
    sources: ['tick'],
    target: { type: 'local', workflow: 'echo' },
    ...overrides,
  });
}
