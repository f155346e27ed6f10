/**
 * One schema change. Statements are kept apart (not one script) because PGlite runs parameterless
 * statements one at a time through the same path as PostgreSQL, and because they are embedded in code
 * the compiled `dist/` output carries them with no SQL files to copy.
 */
export interface Migration {
  /** Applied in ascending order; never renumber or edit an applied migration, add a new one. */
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}
