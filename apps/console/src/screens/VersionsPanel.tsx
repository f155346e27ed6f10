import type { DefinitionHistoryPage, DefinitionVersion } from '@flint/contracts';
import { useState } from 'react';
import { seg } from '../api/client';
import { useCursorPages, useLoad } from '../app/hooks';
import { useSession } from '../app/session';
import { Tag } from '../components/badges';
import { ErrorBanner } from '../components/feedback';
import { Card, EmptyState } from '../components/layout';
import { CursorPager } from '../components/table';
import { TimeAgo } from '../components/time';
import { counted } from '../logic/format';
import { diffLines, foldUnchanged } from '../logic/line-diff';
import { toComparableYaml } from '../logic/yaml';

const PAGE_SIZE = 20;

/** A definition's versions, and the difference between any two of them. */
export function VersionsPanel({ kind, id }: { kind: 'source' | 'trigger'; id: string }) {
  const { client } = useSession();
  const pages = useCursorPages(`${kind}:${id}`);
  const history = useLoad(
    (signal) =>
      client.get<DefinitionHistoryPage>(
        `/api/${kind}s/${seg(id)}/versions`,
        { limit: PAGE_SIZE, cursor: pages.cursor },
        signal,
      ),
    [client, kind, id, pages.cursor],
  );
  // Oldest first from the API; shown newest first.
  const entries = [...(history.data?.items ?? [])].reverse();
  const [chosenFrom, setFrom] = useState<number>();
  const [chosenTo, setTo] = useState<number>();
  // Until the person chooses: the newest version against the one before it.
  const stored = entries.filter((e) => e.action !== 'deleted');
  const to = chosenTo ?? stored[0]?.version;
  const from = chosenFrom ?? stored[1]?.version;

  const find = (version: number | undefined) =>
    entries.find((e) => e.version === version && e.action !== 'deleted');
  return (
    <div className="grid-side-main">
      <Card title="Versions">
        {history.error && <ErrorBanner error={history.error} />}
        <table className="table versions-table">
          <caption className="sr-only">Versions; choose two to compare</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Change</th>
              <th scope="col">Compare</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={`${entry.version}-${entry.action}`}>
                <td>
                  <strong>v{entry.version}</strong>
                  <p className="small muted">
                    <TimeAgo iso={entry.changedAt} /> · {entry.changedBy ?? 'unknown'}
                  </p>
                </td>
                <td>
                  <Tag tone={entry.action === 'deleted' ? 'bad' : 'neutral'}>{entry.action}</Tag>
                </td>
                <td>
                  {entry.action !== 'deleted' && (
                    <div className="compare-cell">
                      <label className="radio">
                        <input
                          type="radio"
                          name="diff-from"
                          checked={from === entry.version}
                          onChange={() => setFrom(entry.version)}
                          aria-label={`Compare from version ${entry.version}`}
                        />
                        from
                      </label>
                      <label className="radio">
                        <input
                          type="radio"
                          name="diff-to"
                          checked={to === entry.version}
                          onChange={() => setTo(entry.version)}
                          aria-label={`Compare to version ${entry.version}`}
                        />
                        to
                      </label>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <CursorPager label="Versions" pages={pages} nextCursor={history.data?.nextCursor} />
      </Card>
      <Card
        title={
          from !== undefined && to !== undefined ? `Changes from v${from} to v${to}` : 'Changes'
        }
      >
        <VersionDiff from={find(from)} to={find(to)} />
      </Card>
    </div>
  );
}

function VersionDiff({ from, to }: { from?: DefinitionVersion; to?: DefinitionVersion }) {
  if (!to) return <EmptyState icon="history" title="Choose two versions to compare" />;
  const strip = (entry: DefinitionVersion | undefined) => {
    if (!entry) return '';
    const {
      version: _version,
      updatedAt: _updatedAt,
      ...body
    } = entry.definition as unknown as Record<string, unknown>;
    return toComparableYaml(body);
  };
  const lines = foldUnchanged(diffLines(strip(from), strip(to)));
  if (lines.every((line) => line.kind === 'same' || line.kind === 'folded')) {
    return <EmptyState icon="check" title="No difference in the definition" />;
  }
  return (
    <div
      className="diff"
      role="table"
      aria-label={`Differences from version ${from?.version} to ${to.version}`}
    >
      {lines.map((line, index) =>
        line.kind === 'folded' ? (
          <div key={index} className="diff-fold" role="row">
            <span role="cell">{counted(line.count, 'unchanged line')}</span>
          </div>
        ) : (
          <div key={index} className={`diff-line diff-${line.kind}`} role="row">
            <span className="diff-no" role="cell">
              {line.oldLine ?? ''}
            </span>
            <span className="diff-no" role="cell">
              {line.newLine ?? ''}
            </span>
            <span
              className="diff-sign"
              role="cell"
              aria-label={line.kind === 'same' ? 'unchanged' : line.kind}
            >
              {line.kind === 'added' ? '+' : line.kind === 'removed' ? '−' : ' '}
            </span>
            <code role="cell">{line.text}</code>
          </div>
        ),
      )}
    </div>
  );
}
