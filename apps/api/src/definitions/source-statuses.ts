import type { SourceWithStatus, StoredSource } from '@flint/contracts';
import type { SourceStatusRepository } from '@flint/store';
import { reportsBySource, sourceHealth } from '../console/source-health';

/**
 * Adds each source's current status (from the provider replicas' fresh reports) to the sources the
 * API shows, in one query however many there are.
 */
export class SourceStatuses {
  constructor(private readonly reports: Pick<SourceStatusRepository, 'fresh'>) {}

  async attach(sources: readonly StoredSource[]): Promise<SourceWithStatus[]> {
    if (sources.length === 0) return [];
    const bySource = reportsBySource(await this.reports.fresh(sources.map((s) => s.id)));
    return sources.map((source) => ({
      ...source,
      status: sourceHealth(source, bySource.get(source.id) ?? []),
    }));
  }
}
