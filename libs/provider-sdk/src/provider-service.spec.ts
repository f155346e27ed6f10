import { InvalidSourceError, type SourceProviderImpl } from './provider';
import { checkSourceKinds } from './provider-service';

function implementation(kind: string): SourceProviderImpl {
  return {
    kind,
    validate: () => {
      throw new InvalidSourceError('not run in this spec');
    },
    run: async () => undefined,
  } as unknown as SourceProviderImpl;
}

describe('checkSourceKinds', () => {
  it('gives the implementations of the kinds the registry assigns to the service', () => {
    const cron = implementation('cron');
    expect(checkSourceKinds('cron', { cron })).toEqual([cron]);
  });

  it('fails naming the registered kind that has no implementation, and where to add it', () => {
    expect(() => checkSourceKinds('file-watcher', {})).toThrow(
      "source kind 'file' is registered to run in the file-watcher service (SOURCE_KINDS, libs/contracts/src/registry/source-kinds.ts), but the service has no implementation of it; add one under apps/providers/file-watcher/src",
    );
  });

  it('fails for an implementation of a kind the registry gives another service', () => {
    expect(() =>
      checkSourceKinds('cron', { cron: implementation('cron'), poller: implementation('poller') }),
    ).toThrow(
      "the cron service implements source kind 'poller', which the source kinds registry does not assign to it",
    );
  });

  it('fails for an implementation filed under another kind', () => {
    expect(() => checkSourceKinds('cron', { cron: implementation('poller') })).toThrow(
      "the implementation given for source kind 'cron' is of kind 'poller'",
    );
  });
});
