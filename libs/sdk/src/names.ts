/** The rule for workflow and poll function names: the same slug Flint's definitions use. */
const SLUG = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export class InvalidDefinitionError extends Error {
  override readonly name = 'InvalidDefinitionError';
}

/** Throws where the workflow or function is declared, instead of when Flint first loads it. */
export function checkName(what: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || !SLUG.test(name)) {
    throw new InvalidDefinitionError(
      `${what} name ${JSON.stringify(name)} must be a lowercase slug: letters, digits and dashes, ` +
        'at most 63 characters, starting and ending with a letter or digit (like "deploy-service")',
    );
  }
}

/**
 * Marks what `defineWorkflow` and `definePollFunction` return. A global symbol, not a class, so Flint
 * recognises a definition made with any copy of this package.
 */
export const KIND = Symbol.for('flint.sdk.kind');
