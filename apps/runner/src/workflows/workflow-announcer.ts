import { errorText, type Log } from '@flint/common';
import {
  RUNNER_WORKFLOWS_ANNOUNCE_INTERVAL_MS,
  type RunnerWorkflowsRepository,
} from '@flint/store';

/**
 * Tells the API which local workflows this replica can start: at start, again every minute (so a
 * crashed replica's announcement goes stale), and withdrawn at stop.
 */
export class WorkflowAnnouncer {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: RunnerWorkflowsRepository,
    private readonly replica: string,
    private readonly workflows: readonly string[],
    private readonly log: Log,
    private readonly intervalMs = RUNNER_WORKFLOWS_ANNOUNCE_INTERVAL_MS,
  ) {}

  start(): void {
    void this.announce();
    this.timer = setInterval(() => void this.announce(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.repository.withdraw(this.replica).catch((err: unknown) => {
      this.log('warn', 'could not withdraw the local workflows announcement', {
        error: errorText(err),
      });
    });
  }

  private async announce(): Promise<void> {
    try {
      await this.repository.announce(this.replica, this.workflows);
    } catch (err) {
      this.log('warn', 'could not announce the local workflows; retrying in a minute', {
        error: errorText(err),
      });
    }
  }
}
