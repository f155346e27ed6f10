import { join } from 'node:path';
import { describeIfPostgres } from '../../../support/postgres';
import { runRequest, RunnerTestBed } from '../runner-harness';

const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures', 'user-code');

describeIfPostgres('runner: user workflows from FLINT_WORKFLOWS_DIR', () => {
  const bed = new RunnerTestBed('runner-user-code');

  beforeAll(async () => {
    await bed.setUp('runner_user_code');
    await bed.startRunner({ env: { FLINT_WORKFLOWS_DIR: join(FIXTURES, 'workflows') } });
  });

  afterAll(() => bed.tearDown());

  const local = (workflow: string, input: unknown) =>
    runRequest({ target: { type: 'local', workflow, timeoutMs: 60_000 }, input });

  it('runs a workflow loaded from the folder, beside the built-in ones', async () => {
    const greet = local('greet', { name: 'Ada' });
    const echo = local('echo', { kept: true });
    await bed.send(greet, echo);
    expect(await bed.waitForStatus(greet.runId, 'SUCCEEDED')).toMatchObject({
      result: { greeting: 'hello, Ada' },
      logLines: [expect.stringContaining('greeting Ada')],
    });
    expect(await bed.waitForStatus(echo.runId, 'SUCCEEDED')).toMatchObject({
      result: { kept: true },
    });
  });

  it('records the class name of an error a user workflow throws', async () => {
    const nobody = local('greet', {});
    await bed.send(nobody);
    expect(await bed.waitForStatus(nobody.runId, 'FAILED')).toMatchObject({
      attempts: 1,
      error: { type: 'NobodyToGreetError', message: 'input.name is missing' },
    });
  });

  it('refuses to boot with a folder of broken modules, naming each file', async () => {
    await expect(
      bed.startRunner({ env: { FLINT_WORKFLOWS_DIR: join(FIXTURES, 'broken-workflows') } }),
    ).rejects.toThrow(
      /^FLINT_WORKFLOWS_DIR: 6 problem\(s\) in user code:\n.*a-syntax-error\.js: cannot be loaded/,
    );
  });
});
