import { randomUUID } from 'node:crypto';
import { type ArchiveStack, startArchiveStack } from '../../api/events/archive-stack';
import { tmpdir } from 'node:os';
import { runCli } from '../../../../apps/cli/src/cli';
import { waitFor } from '../../../support/kafka';
import { ADMIN_KEY } from '../../api/api-harness';
import { runFlint } from '../cli-harness';

const sfx = randomUUID().slice(0, 6);
const owner = `cli-ev-${sfx}`;
const source = `cli-ev-hook-${sfx}`;
const onMain = `cli-on-main-${sfx}`;

/** `flint events` against the whole stack: events archived by the evaluator, listed and shown. */
describe('flint events', () => {
  let stack: ArchiveStack;
  let main: string;
  let dev: string;
  let since: string;
  const cli = (...args: string[]) => runFlint(args, { apiUrl: stack.api });

  beforeAll(async () => {
    stack = await startArchiveStack();
    ({ since, dev, main } = await stack.pushes(owner, source, onMain));
  });

  afterAll(() => stack?.stop());

  it('lists events newest first with what they fired', async () => {
    const listed = await cli('events', '--source', source, '--since', since);
    expect(listed.code).toBe(0);
    expect(listed.stdout[0]).toMatch(/^EVENT ID\s+TYPE\s+SOURCE\s+ACCEPTED\s+FIRED\s+CONSIDERED$/);
    expect(listed.stdout.slice(1).map((line) => line.split(/\s+/)[0])).toEqual([main, dev]);
    expect(listed.stdout[1]).toContain(onMain);

    const fired = await cli('events', '--source', source, '--fired', '-o', 'json');
    expect(JSON.parse(fired.stdout.join('\n')).map((e: { id: string }) => e.id)).toEqual([main]);
    const notFired = await cli(
      'events',
      '--source',
      source,
      '--since',
      since,
      '--not-fired',
      '-o',
      'json',
    );
    expect(JSON.parse(notFired.stdout.join('\n')).map((e: { id: string }) => e.id)).toEqual([dev]);
    const filtered = await cli(
      'events',
      '--source',
      source,
      '--filter',
      "event.data.ref == 'refs/heads/dev'",
      '-o',
      'json',
    );
    expect(JSON.parse(filtered.stdout.join('\n')).map((e: { id: string }) => e.id)).toEqual([dev]);
    const one = await cli(
      'events',
      '--source',
      source,
      '--since',
      since,
      '--limit',
      '1',
      '-o',
      'json',
    );
    expect(JSON.parse(one.stdout.join('\n')).map((e: { id: string }) => e.id)).toEqual([main]);
  });

  it('shows one event with each trigger’s decision', async () => {
    const shown = await cli('events', main);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toEqual(
      expect.arrayContaining([
        `event       ${main}`,
        `fired       ${onMain}`,
        expect.stringMatching(new RegExp(`^  ${onMain}: matched — `)),
        expect.stringMatching(/^ {6}run /),
      ]),
    );
    const why = await cli('events', dev);
    expect(why.stdout).toEqual(
      expect.arrayContaining([
        `fired       nothing`,
        `      false: event.data.ref == 'refs/heads/main'`,
        `        →  'refs/heads/dev' == 'refs/heads/main'`,
      ]),
    );
    const notFired = await cli('events', dev, '-o', 'json');
    expect(JSON.parse(notFired.stdout.join('\n'))).toMatchObject({
      id: dev,
      decisions: [{ triggerId: onMain, outcome: 'condition_false' }],
    });
  });

  it('replays events to one trigger, skipping those it already fired', async () => {
    const replayed = await cli('replay', '--since', since, '--source', source, '--trigger', onMain);
    expect(replayed.code).toBe(0);
    expect(replayed.stdout[0]).toBe('replayed 1 event(s), skipped 1 the trigger already fired');
    expect(replayed.stdout[1]).toMatch(/^ORIGINAL\s+REPLAYED AS$/);
    const [original, replayId] = replayed.stdout[2]!.split(/\s+/);
    expect(original).toBe(dev);
    expect((await stack.archived(replayId!)).replayOf).toBe(dev);
    const bad = await cli('replay', '--since', since, '--until', '2000-01-01T00:00:00Z');
    expect(bad.code).toBe(1);
    expect(bad.stderr.join('\n')).toContain('until: must come after since');
    const noSince = await cli('replay');
    expect(noSince.code).toBe(1);
  });

  it('says clearly what is wrong with bad input', async () => {
    const both = await cli('events', '--fired', '--not-fired');
    expect(both.code).toBe(1);
    expect(both.stderr.join('\n')).toContain('--fired and --not-fired exclude each other');
    const badFilter = await cli('events', '--filter', 'event.data ==');
    expect(badFilter.code).toBe(1);
    expect(badFilter.stderr.join('\n')).toMatch(/filter: /);
    const missing = await cli('events', `no-such-event-${sfx}`);
    expect(missing.code).toBe(1);
    expect(missing.stderr.join('\n')).toContain('not in the archive');
    const badLimit = await cli('events', '--limit', 'lots');
    expect(badLimit.code).toBe(1);
  });
});

describe('flint events --follow', () => {
  let stack: ArchiveStack;
  const followSource = `cli-follow-${sfx}`;

  beforeAll(async () => {
    stack = await startArchiveStack();
    await stack.define(owner, followSource, [{ id: `cli-follow-t-${sfx}` }]);
  });

  afterAll(() => stack?.stop());

  it('prints events as they are archived until stopped, filtered like the listing', async () => {
    const stop = new AbortController();
    const lines: string[] = [];
    const following = runCli(
      [
        'events',
        '--follow',
        '--source',
        followSource,
        '--filter',
        "event.data.ref == 'refs/heads/main'",
        '-o',
        'json',
      ],
      {
        out: (line) => lines.push(line),
        err: (line) => lines.push(`stderr: ${line}`),
        env: { FLINT_API_URL: stack.api, FLINT_API_KEY: ADMIN_KEY },
        cwd: tmpdir(),
        stop: stop.signal,
      },
    );
    // The stream shows what is archived from its connection on: post until a push to main shows.
    const mains: string[] = [];
    const devs: string[] = [];
    const printedIds = () => lines.map((line) => (JSON.parse(line) as { id: string }).id);
    await waitFor(
      async () => {
        devs.push(await stack.post(followSource, { ref: 'refs/heads/dev' }));
        mains.push(await stack.post(followSource, { ref: 'refs/heads/main' }));
        return printedIds().some((id) => mains.includes(id));
      },
      { timeoutMs: 90_000, intervalMs: 1000, description: 'a followed event to be printed' },
    );
    stop.abort();
    expect(await following).toBe(0);
    expect(printedIds().length).toBeGreaterThan(0);
    for (const id of printedIds()) {
      expect(mains).toContain(id);
      expect(devs).not.toContain(id);
    }
    expect(JSON.parse(lines[0]!)).toMatchObject({ sourceId: followSource, provider: 'webhook' });
  });

  it('refuses what following cannot do, and a filter that does not compile', async () => {
    const withSince = await runFlint(['events', '--follow', '--since', '2026-01-01T00:00:00Z'], {
      apiUrl: stack.api,
    });
    expect(withSince.code).toBe(1);
    expect(withSince.stderr.join('\n')).toContain('--follow shows new events only');
    const badFilter = await runFlint(['events', '--follow', '--filter', 'event.data =='], {
      apiUrl: stack.api,
    });
    expect(badFilter.code).toBe(1);
    expect(badFilter.stderr.join('\n')).toMatch(/filter: /);
  });
});
