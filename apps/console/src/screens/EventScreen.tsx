import type { ArchivedEventDetail, Decision } from '@flint/contracts';
import { useState } from 'react';
import { ApiError, seg } from '../api/client';
import { useInterval, useLoad } from '../app/hooks';
import { Link } from '../app/router';
import { useCanChange, useSession } from '../app/session';
import { Tag } from '../components/badges';
import { Button, CopyButton } from '../components/buttons';
import { CodeBlock } from '../components/code';
import { Banner, ErrorBanner, Loading } from '../components/feedback';
import { Card, EmptyState, Facts, PageHeader } from '../components/layout';
import { TimeAgo } from '../components/time';
import {
  decisionRun,
  informativeOperands,
  outcomeLabel,
  replayOne,
  sortDecisions,
} from '../logic/decisions';
import { dateTime, prettyJson } from '../logic/format';
import { ReplayDialog } from './ReplayDialog';

/** One archived event: what it was, which triggers it fired, and why the others did not fire. */
export function EventScreen({ id }: { id: string }) {
  const { client } = useSession();
  const event = useLoad(
    (signal) => client.get<ArchivedEventDetail>(`/api/events/${seg(id)}`, {}, signal),
    [client, id],
  );
  const mayReplay = useCanChange(event.data?.owner);
  const [replaying, setReplaying] = useState(false);
  // A replay just published is archived a moment later: keep looking.
  const missing = event.error instanceof ApiError && event.error.status === 404;
  useInterval(() => event.reload(), missing ? 2000 : undefined);

  if (event.error) {
    return (
      <>
        <PageHeader crumbs={[{ label: 'Events', to: '/events' }]} title="Event" />
        {missing ? (
          <EmptyState icon="pulse" title={`Event ${id} is not in the archive`}>
            An event is listed a moment after the evaluator reads it (this page keeps looking), for
            the archive's retention (7 days by default), and only for keys that may see its owner.
          </EmptyState>
        ) : (
          <ErrorBanner error={event.error} title={`Event ${id} could not be loaded`} />
        )}
      </>
    );
  }
  const e = event.data;
  if (!e) return <Loading />;
  const decisions = sortDecisions(e.decisions);

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Events', to: '/events' }]}
        title={
          <span className="title-with-badges">
            <span className="mono title-mono">{e.id}</span>
            {e.fired.length > 0 ? (
              <Tag tone="ok">fired {e.fired.length}</Tag>
            ) : (
              <Tag>fired none</Tag>
            )}
          </span>
        }
        subtitle={
          <>
            <code>{e.type}</code> from{' '}
            <Link to={`/sources/${encodeURIComponent(e.sourceId)}`}>{e.sourceId}</Link>, accepted{' '}
            <TimeAgo iso={e.acceptedAt} />
          </>
        }
        actions={
          // A replay is not replayed again (the API refuses it).
          mayReplay &&
          !e.replayOf && (
            <Button icon="refresh" onClick={() => setReplaying(true)}>
              Replay
            </Button>
          )
        }
      />
      {e.replayOf && (
        <Banner tone="info" title="A replayed event">
          <p>
            It replays <Link to={`/events/${encodeURIComponent(e.replayOf)}`}>{e.replayOf}</Link>.
          </p>
        </Banner>
      )}
      <div className="grid-main-side">
        <div className="stack">
          <Card
            title={`What each trigger did (${e.considered})`}
            actions={
              e.decisionsOmitted > 0 && (
                <span className="small muted">{e.decisionsOmitted} more not kept</span>
              )
            }
          >
            {decisions.length === 0 ? (
              <EmptyState icon="triggers" title="No trigger listened to this event">
                Only triggers listening to its source or type are considered.
              </EmptyState>
            ) : (
              <ul className="decisions" aria-label="Decisions">
                {decisions.map((decision) => (
                  <DecisionRow key={decision.triggerId} decision={decision} />
                ))}
              </ul>
            )}
          </Card>
          <Card title="Event">
            <CodeBlock code={prettyJson(e.event)} label="archived event" maxHeight={480} />
          </Card>
        </div>
        <div className="stack">
          <Card title="Details">
            <Facts
              items={[
                [
                  'Id',
                  <span key="id" className="id-copy">
                    <code className="wrap" data-testid="event-id">
                      {e.id}
                    </code>
                    <CopyButton text={e.id} label="Copy event id" />
                  </span>,
                ],
                ['Type', <code key="t">{e.type}</code>],
                [
                  'Source',
                  <Link key="s" to={`/sources/${encodeURIComponent(e.sourceId)}`}>
                    {e.sourceId}
                  </Link>,
                ],
                ['Provider', e.provider],
                ['Owner', e.owner],
                ['Accepted', dateTime(e.acceptedAt)],
                ['Archived', dateTime(e.archivedAt)],
              ]}
            />
          </Card>
          <Card title="Runs it caused">
            <RunsCaused decisions={decisions} />
          </Card>
        </div>
      </div>
      <ReplayDialog
        key={e.id}
        what="this event"
        selection={(options) => replayOne(e, options)}
        triggers={e.decisions.map((d) => d.triggerId)}
        open={replaying}
        onClose={() => setReplaying(false)}
      />
    </>
  );
}

function DecisionRow({ decision }: { decision: Decision }) {
  const { label, tone } = outcomeLabel(decision.outcome);
  const run = decisionRun(decision);
  const operands = informativeOperands(decision.condition);
  return (
    <li className="decision" data-trigger={decision.triggerId} data-outcome={decision.outcome}>
      <div className="decision-head">
        <Link to={`/triggers/${decision.triggerId}`} className="strong">
          {decision.triggerId}
        </Link>
        {decision.triggerVersion !== undefined && (
          <span className="small muted">v{decision.triggerVersion}</span>
        )}
        <span className={`badge badge-${tone}`}>
          <span className="badge-dot" aria-hidden="true" />
          {label}
        </span>
      </div>
      <p className="small decision-message">{decision.message}</p>
      {operands.length > 0 && (
        <ul className="decision-why small" aria-label={`Values for ${decision.triggerId}`}>
          {operands.map((operand) => (
            <li key={operand.expression}>
              <code className="wrap">{operand.expression}</code> ={' '}
              <code className="wrap">{operand.value}</code>
            </li>
          ))}
        </ul>
      )}
      {decision.error && <p className="small text-bad wrap">{decision.error}</p>}
      {run && (
        <p className="small">
          {run.label}{' '}
          <Link to={`/runs/${encodeURIComponent(run.runId)}`} className="mono">
            {run.runId}
          </Link>
        </p>
      )}
      {decision.batchId && (
        <p className="small muted">
          Batch <code>{decision.batchId}</code>
        </p>
      )}
    </li>
  );
}

function RunsCaused({ decisions }: { decisions: Decision[] }) {
  const runs = decisions.filter(
    (d): d is Decision & { runId: string } =>
      (d.outcome === 'matched' || d.outcome === 'delayed') && d.runId !== undefined,
  );
  if (runs.length === 0) return <p className="small muted">This event started no run.</p>;
  return (
    <ul className="list">
      {runs.map((d) => (
        <li key={d.triggerId} className="list-row">
          <Link to={`/runs/${encodeURIComponent(d.runId)}`} className="mono list-main">
            {d.runId}
          </Link>
        </li>
      ))}
    </ul>
  );
}
