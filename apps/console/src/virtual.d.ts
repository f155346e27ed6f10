/** Built by `build/trigger-schema-plugin.mts` from libs/contracts/json-schema/trigger.schema.json. */
declare module 'virtual:trigger-schema' {
  import type { SchemaError } from './logic/schema-issues';

  interface ValidateFunction {
    (data: unknown): boolean;
    errors?: SchemaError[] | null;
  }
  export const validate: ValidateFunction;
  export const schema: Record<string, unknown>;
}
