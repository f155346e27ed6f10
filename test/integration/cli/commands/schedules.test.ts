import { randomUUID } from 'node:crypto';
import { cronTickEventId } from '@flint/contracts';
import type { RunningService } from '@flint/service-kit';
import { call, startApi, testTopics } from '../../api/api-harness';
import { runFlint } from '../cli-harness';

const sfx = randomUUID().slice(0, 8);
const source = `cli-cron-${sfx}`;
const HOUR = 3_600_000;

describe('flint trigger-now and flint backfill against a running API', () => {
  let api: RunningService;

  const cli = (...args: string[]) => runFlint(args, { apiUrl: api.url });

  beforeAll(async () => {
    api = await startApi(testTopics('cli-schedules'));
    const created = await call(api.url, 'POST', '/api/sources', {
      body: {
        kind: 'source',
        id: source,
        provider: 'cron',
        config: { schedule: '0 * * * *', timezone: 'UTC' },
      },
    });
    expect(created.status).toBe(201);
  });

  afterAll(() => api.stop());

  it('fires a cron source now and prints the event id', async () => {
    const fired = await cli('trigger-now', source);
    expect(fired.code).toBe(0);
    expect(fired.stdout).toEqual([expect.stringMatching(new RegExp(`^${source}/manual/`))]);
    expect(fired.stderr[0]).toMatch(new RegExp(`^source ${source} fired at `));
    const unknown = await cli('trigger-now', `nope-${sfx}`);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr[0]).toBe(`trigger-now nope-${sfx} failed: source nope-${sfx} not found`);
  });

  it('backfills a range once: repeating it fires nothing again', async () => {
    const lastHour = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
    const slots = [lastHour - HOUR, lastHour].map((at) => new Date(at).toISOString());
    const args = ['backfill', source, '--from', slots[0] as string, '--to', slots[1] as string];
    const first = await cli(...args);
    expect(first.code).toBe(0);
    expect(first.stdout).toEqual(
      slots.map((slot) => `fired ${slot} (${cronTickEventId(source, new Date(slot))})`),
    );
    expect(first.stderr).toEqual(['2 slot(s) fired, 0 already fired before']);
    const again = await cli(...args);
    expect(again.stdout).toEqual(slots.map((slot) => `already fired ${slot}`));
    expect(again.stderr).toEqual(['0 slot(s) fired, 2 already fired before']);

    const missing = await cli('backfill', source, '--from', slots[0] as string);
    expect(missing.code).toBe(1);
    const bad = await cli('backfill', source, '--from', 'yesterday', '--to', slots[1] as string);
    expect(bad.code).toBe(1);
    expect(bad.stderr[0]).toBe(`backfill ${source} failed: invalid request`);
    expect(bad.stderr[1]).toMatch(/^ {2}from: /);
  });
});
