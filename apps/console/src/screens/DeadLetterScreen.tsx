import type { DeadLetterDetail, DeadLetterResendResult } from '@flint/contracts';
import { useState } from 'react';
import { seg } from '../api/client';
import { useLoad } from '../app/hooks';
import { Link, useRouter } from '../app/router';
import { isAdmin, useSession } from '../app/session';
import { Tag } from '../components/badges';
import { Button } from '../components/buttons';
import { CodeBlock } from '../components/code';
import { ActionDialog } from '../components/dialog';
import { Banner, ErrorBanner, Loading } from '../components/feedback';
import { Card, EmptyState, Facts, PageHeader } from '../components/layout';
import { TimeAgo } from '../components/time';
import { readableValue, resendSummary } from '../logic/dead-letters';
import { dateTime, prettyJson } from '../logic/format';

/** One dead letter: why, where it came from, its original headers and value; re-send or purge it. */
export function DeadLetterScreen({ id }: { id: string }) {
  const { client, principal } = useSession();
  const { navigate } = useRouter();
  const [outcome, setOutcome] = useState<DeadLetterResendResult>();
  const [actionError, setActionError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const [purging, setPurging] = useState(false);
  const letter = useLoad(
    (signal) =>
      isAdmin(principal)
        ? client.get<DeadLetterDetail>(`/api/dead-letters/${seg(id)}`, {}, signal)
        : Promise.resolve(undefined),
    [client, id],
  );
  if (!isAdmin(principal)) {
    return <EmptyState icon="alert" title="Dead letters are for admins" />;
  }
  if (letter.error)
    return <ErrorBanner error={letter.error} title={`Dead letter ${id} could not be loaded`} />;
  const d = letter.data;
  if (!d) return <Loading />;

  const resend = async () => {
    setBusy(true);
    setActionError(undefined);
    try {
      setOutcome(await client.post<DeadLetterResendResult>(`/api/dead-letters/${seg(id)}/resend`));
      letter.reload();
    } catch (err) {
      setActionError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  const purge = async () => {
    await client.delete(`/api/dead-letters/${seg(id)}`);
    navigate('/dead-letters');
  };
  const newRun = outcome?.resent[0]?.runId;

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Dead letters', to: '/dead-letters' }]}
        title={
          <span className="title-with-badges">
            Dead letter #{d.id}
            <Tag tone="bad">{d.reason}</Tag>
          </span>
        }
        subtitle={
          <>
            From <code>{d.sourceTopic}</code>, failed <TimeAgo iso={d.failedAt} />
          </>
        }
        actions={
          <>
            <Button variant="danger" icon="trash" onClick={() => setPurging(true)}>
              Purge
            </Button>
            {d.resendable && (
              <Button variant="primary" icon="send" busy={busy} onClick={() => void resend()}>
                Re-send
              </Button>
            )}
          </>
        }
      />
      {actionError && <ErrorBanner error={actionError} title="Nothing was done" />}
      {outcome && (
        <Banner tone="ok" title="Re-sent">
          <p>
            {resendSummary(outcome)}
            {newRun && (
              <>
                {' '}
                <Link to={`/runs/${encodeURIComponent(newRun)}`}>Open the new run</Link>.
              </>
            )}
          </p>
        </Banner>
      )}
      {d.error && (
        <Banner tone="error" title="What was wrong">
          <p className="wrap">{d.error}</p>
        </Banner>
      )}
      {!d.resendable && (
        <Banner tone="info" title="Cannot be re-sent from here">
          <p>
            It did not come from Flint’s events or runs topic: send it again where it came from
            {d.origin ? ` (${d.origin})` : ''}.
          </p>
        </Banner>
      )}
      <div className="grid-main-side">
        <div className="stack">
          <Card title="Value">
            <CodeBlock
              code={readableValue(d.value, d.valueEncoding)}
              label="dead letter value"
              maxHeight={480}
              wrap={d.valueEncoding === 'base64'}
            />
            {d.valueEncoding === 'base64' && (
              <p className="small muted">Not text: shown in base64.</p>
            )}
          </Card>
          <Card title="Headers">
            <CodeBlock code={prettyJson(d.headers)} label="dead letter headers" maxHeight={320} />
          </Card>
        </div>
        <div className="stack">
          <Card title="Details">
            <Facts
              items={[
                ['Reason', d.reason],
                ['Topic', <code key="t">{d.sourceTopic}</code>],
                [
                  'Partition · offset',
                  d.sourcePartition !== undefined &&
                    `${d.sourcePartition} · ${d.sourceOffset ?? '—'}`,
                ],
                [
                  'Source',
                  d.sourceId && (
                    <Link key="s" to={`/sources/${encodeURIComponent(d.sourceId)}`}>
                      {d.sourceId}
                    </Link>
                  ),
                ],
                ['Upstream', d.origin],
                ['Key', d.key && <code key="k">{d.key}</code>],
                ['Failed', dateTime(d.failedAt)],
                ['Dead-letter topic', `partition ${d.dlq.partition} · offset ${d.dlq.offset}`],
                [
                  'Re-sent',
                  d.resendCount > 0 ? `${d.resendCount}× · last ${dateTime(d.resentAt)}` : 'never',
                ],
              ]}
            />
          </Card>
        </div>
      </div>
      <ActionDialog
        open={purging}
        title="Purge this dead letter?"
        onClose={() => setPurging(false)}
        closeLabel="Keep it"
        failure="It was not purged"
        action={{ label: 'Purge', icon: 'trash', variant: 'danger', run: purge }}
      >
        <p>Its message is dropped from the index and cannot be re-sent afterwards.</p>
      </ActionDialog>
    </>
  );
}
