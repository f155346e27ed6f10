import { readableValue, resendSummary } from './dead-letters';

describe('dead letters for people', () => {
  it('says what a re-send did', () => {
    expect(
      resendSummary({
        resent: [{ id: '1', topic: 'flint.events' }],
        notResendable: [],
        more: false,
      }),
    ).toBe('Re-sent 1.');
    expect(
      resendSummary({
        resent: [
          { id: '1', topic: 'flint.runs', runId: 'deploy.dlq-1' },
          { id: '2', topic: 'flint.events' },
        ],
        notResendable: [{ id: '3', why: 'it came from an mqtt source' }],
        more: true,
      }),
    ).toBe(
      'Re-sent 2. 1 of them as new run. 1 cannot be re-sent (#3: it came from an mqtt source); ' +
        'send it again upstream. More match: re-send again for the rest.',
    );
  });

  it('indents a JSON value and leaves anything else as it is', () => {
    expect(readableValue('{"a":1}', 'utf8')).toBe('{\n  "a": 1\n}');
    expect(readableValue('not json {', 'utf8')).toBe('not json {');
    expect(readableValue('AAEC', 'base64')).toBe('AAEC');
    expect(readableValue(null, 'utf8')).toMatch(/no value/);
  });
});
