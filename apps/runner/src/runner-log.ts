/** The part of the service's pino logger the runner uses; plain objects first, message second. */
export interface RunnerLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}
