import { MIGRATIONS, type Migration } from './migrations';
import { MigrationError, pendingMigrations } from './migrator';

const migration = (version: number, name = `m${version}`): Migration => ({
  version,
  name,
  statements: [`SELECT ${version}`],
});

describe('pendingMigrations', () => {
  it('returns every migration, in order, for an empty database', () => {
    const known = [migration(1), migration(2), migration(5)];
    expect(pendingMigrations(known, []).map((m) => m.version)).toEqual([1, 2, 5]);
  });

  it('leaves out applied migrations, including ones applied out of order', () => {
    const known = [migration(1), migration(2), migration(3)];
    const applied = [
      { version: 1, name: 'm1' },
      { version: 3, name: 'm3' },
    ];
    expect(pendingMigrations(known, applied).map((m) => m.version)).toEqual([2]);
  });

  it('returns nothing when everything is applied', () => {
    const known = [migration(1), migration(2)];
    expect(
      pendingMigrations(known, [
        { version: 1, name: 'm1' },
        { version: 2, name: 'm2' },
      ]),
    ).toEqual([]);
  });

  it('ignores versions recorded by newer code', () => {
    expect(
      pendingMigrations(
        [migration(1)],
        [
          { version: 1, name: 'm1' },
          { version: 9, name: 'future' },
        ],
      ),
    ).toEqual([]);
  });

  it('rejects versions listed out of order or twice', () => {
    expect(() => pendingMigrations([migration(2), migration(1)], [])).toThrow(
      'migration 1 "m1" comes after 2 "m2"; versions must be unique and listed in ascending order',
    );
    expect(() => pendingMigrations([migration(1), migration(1, 'again')], [])).toThrow(
      MigrationError,
    );
  });

  it('rejects versions that are not whole numbers from 1', () => {
    expect(() => pendingMigrations([migration(0)], [])).toThrow(
      'migration "m0" has version 0; versions are whole numbers from 1',
    );
    expect(() => pendingMigrations([migration(1.5)], [])).toThrow(MigrationError);
  });

  it('rejects a database that recorded a known version under another name', () => {
    expect(() =>
      pendingMigrations([migration(1, 'initial')], [{ version: 1, name: 'other' }]),
    ).toThrow('database records migration 1 as "other" but this code calls it "initial"');
  });

  it('accepts the migrations shipped with the store', () => {
    expect(pendingMigrations(MIGRATIONS, [])).toHaveLength(MIGRATIONS.length);
    expect(MIGRATIONS.every((m) => m.statements.length > 0)).toBe(true);
  });
});
