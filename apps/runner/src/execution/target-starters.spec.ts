import type { TargetStarter, TargetStarters } from '../targets/target-starter';
import { checkTargetStarters } from './run-executor';

function starter(type: string): TargetStarter {
  return { type, startedWhen: 'on-success', start: async () => ({}) } as unknown as TargetStarter;
}

describe('checkTargetStarters', () => {
  it('maps every target type to its starter', () => {
    const starters = { http: starter('http'), kafka: starter('kafka'), local: starter('local') };
    const byType = checkTargetStarters(starters as unknown as TargetStarters);
    expect([...byType.keys()].sort()).toEqual(['http', 'kafka', 'local']);
    expect(byType.get('kafka')).toBe(starters.kafka);
  });

  it('fails at boot for a target type without a starter, not when its first run comes', () => {
    const starters = { http: starter('http'), kafka: starter('kafka') };
    expect(() => checkTargetStarters(starters as unknown as TargetStarters)).toThrow(
      "target type 'local' (TargetSchema, libs/contracts) has no starter in the runner; add one under apps/runner/src/targets",
    );
  });

  it('fails for a starter filed under another type', () => {
    const starters = { http: starter('http'), kafka: starter('local'), local: starter('local') };
    expect(() => checkTargetStarters(starters as unknown as TargetStarters)).toThrow(
      "the starter given for target type 'kafka' starts 'local' targets",
    );
  });
});
