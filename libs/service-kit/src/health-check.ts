/** A dependency a service cannot work without; `check` throws with the reason when it is unusable. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface CheckResult {
  ok: boolean;
  error?: string;
  durationMs: number;
}

export interface HealthReport {
  status: 'ok' | 'unhealthy';
  service: string;
  checks: Record<string, CheckResult>;
}

/** Runs every check at once, each bounded by a timeout so one hung dependency cannot hang the probe. */
export class HealthReporter {
  constructor(
    private readonly service: string,
    private readonly checks: readonly HealthCheck[],
    private readonly timeoutMs = 3000,
  ) {}

  async report(): Promise<HealthReport> {
    const entries = await Promise.all(
      this.checks.map(async (c) => [c.name, await this.run(c)] as const),
    );
    const checks = Object.fromEntries(entries);
    const ok = entries.every(([, r]) => r.ok);
    return { status: ok ? 'ok' : 'unhealthy', service: this.service, checks };
  }

  private async run(check: HealthCheck): Promise<CheckResult> {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      await Promise.race([check.check(), timeout]);
      return { ok: true, durationMs: Date.now() - started };
    } catch (err) {
      return { ok: false, error: errorMessage(err), durationMs: Date.now() - started };
    } finally {
      clearTimeout(timer);
    }
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
