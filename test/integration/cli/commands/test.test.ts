import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningService } from '@flint/service-kit';
import { kafkaForTest } from '../../../support/kafka-client';
import { readAllMessages } from '../../../support/kafka';
import { type TestTopics, createWebhookTrigger, startApi, testTopics } from '../../api/api-harness';
import { runFlint } from '../cli-harness';

const sfx = randomUUID().slice(0, 6);
const trigger = `cli-test-${sfx}`;

describe('flint test against a running API', () => {
  let api: RunningService;
  let topics: TestTopics;
  let dir: string;

  const cli = (...args: string[]) => runFlint(args, { apiUrl: api.url, cwd: dir });

  beforeAll(async () => {
    topics = testTopics('cli-test');
    api = await startApi(topics);
    dir = await mkdtemp(join(tmpdir(), 'flint-cli-test-'));
    await createWebhookTrigger(
      api.url,
      { owner: 'team-a', source: `${trigger}-hook`, trigger },
      { condition: 'event.data.amount >= 100', input: { amount: 'event.data.amount' } },
    );
    await writeFile(join(dir, 'big.json'), JSON.stringify({ id: 'e-1', data: { amount: 150 } }));
    await writeFile(join(dir, 'small.yaml'), 'data:\n  amount: 5\n');
    await writeFile(join(dir, 'broken.json'), '{ "data": ');
    await writeFile(
      join(dir, 'draft.yaml'),
      `kind: trigger
id: draft-${sfx}
eventTypes: [com.example.sale]
condition: event.data.amount > 1
target: { type: local, workflow: echo }
input: { doubled: event.data.amount * 2 }
`,
    );
    await writeFile(
      join(dir, 'bad-draft.yaml'),
      `kind: trigger
id: draft-${sfx}
eventTypes: [com.example.sale]
condition: event.data.amount >
target: { type: local, workflow: echo }
`,
    );
  });

  afterAll(async () => {
    await api.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports a match with its dedupe key and input, and exits 0', async () => {
    const result = await cli('test', trigger, '--event', 'big.json');
    expect(result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toEqual([
      'matched: yes',
      'dedupe key: e-1',
      expect.stringMatching(new RegExp(`^run id: ${trigger}\\.\\w+ \\(not started\\)$`)),
      'input:',
      '  {',
      '    "amount": 150',
      '  }',
    ]);
  });

  it('reports why an event does not match, and exits 1', async () => {
    const result = await cli('test', trigger, '--event', 'small.yaml');
    expect(result.code).toBe(1);
    expect(result.stdout).toEqual([
      'matched: no (condition_false)',
      "reason: the trigger's `condition` is false for this event",
      'why: the condition was false: event.data.amount >= 100 is 5 >= 100',
    ]);
  });

  it('tests a draft trigger from a file', async () => {
    const result = await cli('test', '-f', 'draft.yaml', '--event', 'small.yaml');
    expect(result.code).toBe(0);
    expect(result.stdout.join('\n')).toContain('"doubled": 10');

    const broken = await cli('test', '-f', 'bad-draft.yaml', '--event', 'small.yaml');
    expect(broken.code).toBe(1);
    expect(broken.stderr[0]).toMatch(/^test bad-draft.yaml failed: /);
    expect(broken.stderr.join('\n')).toMatch(
      /bad-draft\.yaml \(document 1\): condition: .*line 1, column/,
    );
    expect(broken.stderr.join('\n')).not.toContain('applied');
  });

  it('starts the run with --start', async () => {
    const result = await cli('test', trigger, '--event', 'big.json', '--start');
    expect(result.code).toBe(0);
    expect(result.stdout[2]).toMatch(/\(started\)$/);
    const messages = await readAllMessages(kafkaForTest(), topics.runs);
    expect(messages).toHaveLength(1);
  });

  it('fails clearly on bad arguments, unreadable files and unknown triggers', async () => {
    const neither = await cli('test', '--event', 'big.json');
    expect(neither.code).toBe(1);
    expect(neither.stderr).toEqual([
      'test failed: name a stored trigger id or a file with -f, not both or neither',
    ]);
    const missingFile = await cli('test', trigger, '--event', 'nope.json');
    expect(missingFile.code).toBe(1);
    expect(missingFile.stderr[0]).toContain('cannot read the event file nope.json');
    const broken = await cli('test', trigger, '--event', 'broken.json');
    expect(broken.code).toBe(1);
    expect(broken.stderr[0]).toContain('is not JSON or YAML');
    await writeFile(join(dir, 'bare.json'), JSON.stringify({ amount: 150 }));
    const bare = await cli('test', trigger, '--event', 'bare.json');
    expect(bare.code).toBe(1);
    expect(bare.stderr[0]).toContain(
      'bare.json is not a sample event (amount: unknown key "amount")',
    );
    expect(bare.stderr[0]).toContain('with the payload under "data"');
    const unknown = await cli('test', `nope-${sfx}`, '--event', 'big.json');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toEqual([`test nope-${sfx} failed: trigger nope-${sfx} not found`]);
    const noEvent = await cli('test', trigger);
    expect(noEvent.code).not.toBe(0);
    expect(noEvent.stderr.join('\n')).toContain("required option '--event <path>'");
  });
});
