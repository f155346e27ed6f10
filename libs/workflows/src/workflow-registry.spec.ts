import {
  BUILTIN_WORKFLOWS,
  defineWorkflow,
  echoWorkflow,
  InvalidDefinitionError,
  WorkflowRegistry,
} from '.';

describe('local workflows', () => {
  it('ships echo, which returns its input and logs', async () => {
    const lines: string[] = [];
    const ctx = {
      runId: 'r-1',
      triggerId: 't',
      attempt: 1,
      signal: new AbortController().signal,
      log: (line: string) => lines.push(line),
    };
    expect(await echoWorkflow.run({ a: [1, 2] }, ctx)).toEqual({ a: [1, 2] });
    expect(lines).toEqual(['echoing the input of run r-1']);
    expect(new WorkflowRegistry(BUILTIN_WORKFLOWS).names()).toEqual([
      'decline-payment',
      'echo',
      'sleep',
      'sum',
    ]);
  });

  it('refuses two workflows with one name', () => {
    const registry = new WorkflowRegistry([echoWorkflow]);
    expect(() => registry.register(defineWorkflow({ name: 'echo', run: () => 1 }))).toThrow(
      InvalidDefinitionError,
    );
    expect(() => registry.register(defineWorkflow({ name: 'echo', run: () => 1 }))).toThrow(
      'a workflow named "echo" is already registered',
    );
    expect(registry.get('echo')).toBe(echoWorkflow);
    expect(registry.get('other')).toBeUndefined();
  });
});
