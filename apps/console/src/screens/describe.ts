import type { StoredTrigger } from '@flint/contracts';

/** What a trigger listens to, as short labels: source ids (inline ones marked) and event types. */
export function listensTo(trigger: StoredTrigger): Array<{ label: string; to?: string }> {
  const sources = (trigger.sources ?? []).map((source) =>
    typeof source === 'string'
      ? { label: source, to: `/sources/${source}` }
      : { label: `${source.id} (${source.provider}, inline)` },
  );
  return [...sources, ...(trigger.eventTypes ?? []).map((type) => ({ label: type }))];
}

/** Where a trigger's runs go: `local echo`, `POST https://…`, `kafka workflows.deploy`. */
export function targetLabel(trigger: StoredTrigger): string {
  const target = trigger.target;
  switch (target.type) {
    case 'local':
      return `local · ${target.workflow}`;
    case 'http':
      return `${target.method} ${target.url}`;
    case 'kafka':
      return `kafka · ${target.topic}`;
  }
}
