import type {
  DefinitionPage,
  RecentEvent,
  RecentEvents,
  SourceActivityList,
  SourceWithStatus,
  StoredDefinition,
  StoredSource,
} from '@flint/contracts';
import { useState } from 'react';
import { seg } from '../api/client';
import { useInterval, useLoad } from '../app/hooks';
import { Link } from '../app/router';
import { useCanChange, useSession } from '../app/session';
import { EnabledBadge, SourceStateBadge, Tag } from '../components/badges';
import { Button } from '../components/buttons';
import { CodeBlock } from '../components/code';
import { Banner, ErrorBanner, Loading } from '../components/feedback';
import { Switch } from '../components/forms';
import { Card, EmptyState, Facts, PageHeader } from '../components/layout';
import { TimeAgo } from '../components/time';
import { webhookCurl, type WebhookEndpoint } from '../logic/curl';
import { compact, dateTime, prettyExcerpt } from '../logic/format';
import { toYaml } from '../logic/yaml';
import { EnabledSwitch } from './EnabledSwitch';
import { SendEventDialog } from './SendEventDialog';

export function SourceScreen({ id }: { id: string }) {
  const { client } = useSession();
  const [actionError, setActionError] = useState<Error>();
  const source = useLoad(
    (signal) => client.get<SourceWithStatus>(`/api/sources/${seg(id)}`, {}, signal),
    [client, id],
  );
  const activity = useLoad(
    (signal) => client.get<SourceActivityList>('/api/activity/sources', { ids: id }, signal),
    [client, id],
  );
  const triggers = useLoad(
    (signal) => client.get<DefinitionPage>('/api/triggers', { source: id, limit: 50 }, signal),
    [client, id],
  );
  const mayChange = useCanChange(source.data?.owner);
  const [sending, setSending] = useState(false);

  if (source.error)
    return <ErrorBanner error={source.error} title={`Source ${id} could not be loaded`} />;
  if (!source.data) return <Loading />;
  const { status, ...definition } = source.data;
  const s = definition as StoredSource;
  const health = activity.data?.items[0];

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Sources', to: '/sources' }]}
        title={
          <span className="title-with-badges">
            {s.id}
            <Tag>{s.provider}</Tag>
            <SourceStateBadge state={status.state} />
          </span>
        }
        subtitle={s.description}
        actions={
          <>
            {s.provider === 'event' && mayChange && (
              <Button icon="send" onClick={() => setSending(true)}>
                Send an event
              </Button>
            )}
            <label className="switch-label">
              <EnabledSwitch
                definition={s as StoredDefinition}
                onChanged={() => {
                  source.reload();
                  activity.reload();
                }}
                onError={(err) => {
                  setActionError(err);
                  source.reload();
                }}
              />
              {mayChange && <span>{s.enabled ? 'Enabled' : 'Disabled'}</span>}
            </label>
          </>
        }
      />
      {actionError && <ErrorBanner error={actionError} title="Nothing was changed" />}
      {status.message && (
        <Banner tone={status.state === 'starting' ? 'warn' : 'error'} title="Why">
          <p>{status.message}</p>
        </Banner>
      )}
      <div className="grid-main-side">
        <div className="stack">
          {s.provider === 'webhook' && <WebhookCard source={s} />}
          <RecentEventsCard sourceId={s.id} />
        </div>
        <div className="stack">
          <Card title="About">
            <Facts
              items={[
                ['Owner', s.owner],
                ['State', <EnabledBadge key="e" enabled={s.enabled} />],
                ['Events in the last hour', compact(health?.eventsLastHour ?? 0)],
                ['Last event', <TimeAgo key="t" iso={health?.lastEventAt} />],
                ['Last success', <TimeAgo key="s" iso={status.lastSuccessAt} />],
                [
                  'Last error',
                  status.lastError ? (
                    <span key="le">
                      {status.lastError} · <TimeAgo iso={status.lastErrorAt} />
                    </span>
                  ) : (
                    '—'
                  ),
                ],
                ['Failures in a row', String(status.consecutiveFailures ?? 0)],
                ['Replicas running it', String(status.replicas)],
                ['Version', `${s.version} · ${dateTime(s.updatedAt)}`],
              ]}
            />
          </Card>
          <Card title="Triggers listening">
            {triggers.data && triggers.data.items.length === 0 && (
              <EmptyState icon="triggers" title="No trigger listens to this source" />
            )}
            <ul className="list">
              {triggers.data?.items.map((t) => (
                <li key={t.id} className="list-row">
                  <Link to={`/triggers/${t.id}`} className="strong">
                    {t.id}
                  </Link>
                  <EnabledBadge enabled={t.enabled} />
                </li>
              ))}
            </ul>
          </Card>
          <Card title="Configuration">
            <CodeBlock
              code={toYaml(s as unknown as Record<string, unknown>)}
              label="source definition"
              wrap
            />
          </Card>
        </div>
      </div>
      {s.provider === 'event' && (
        <SendEventDialog
          open={sending}
          owner={s.owner}
          types={(s.config as { types?: string[] }).types ?? []}
          onClose={() => setSending(false)}
          onSent={() => setSending(false)}
        />
      )}
    </>
  );
}

function WebhookCard({ source }: { source: StoredSource }) {
  const { settings } = useSession();
  const endpoint = source.config as unknown as WebhookEndpoint;
  const base =
    settings.webhookBaseUrl ?? `${window.location.protocol}//${window.location.hostname}:8081`;
  const url = `${base}/hooks/${endpoint.path}`;
  return (
    <Card title="Endpoint">
      <div className="endpoint">
        <span className="method">{(endpoint.methods ?? ['POST']).join(' · ')}</span>
        <code className="endpoint-url">{url}</code>
      </div>
      {!settings.webhookBaseUrl && (
        <p className="small muted">
          The webhook service's address is assumed to be this host on port 8081; set{' '}
          <code>FLINT_WEBHOOK_PUBLIC_URL</code> on the api to show where callers reach it.
        </p>
      )}
      <p className="small">
        Authentication: <Tag>{endpoint.auth.type}</Tag>
        {endpoint.auth.secretRef && (
          <>
            {' '}
            with secret <code>{endpoint.auth.secretRef}</code>
          </>
        )}
      </p>
      <h3 className="subheading">Send a test event</h3>
      <CodeBlock code={webhookCurl(base, endpoint)} label="curl command" />
    </Card>
  );
}

function RecentEventsCard({ sourceId }: { sourceId: string }) {
  const { client } = useSession();
  const [auto, setAuto] = useState(true);
  const [open, setOpen] = useState<string>();
  const events = useLoad(
    (signal) =>
      client.get<RecentEvents>(`/api/sources/${seg(sourceId)}/events`, { limit: 25 }, signal),
    [client, sourceId],
  );
  useInterval(() => events.reload(), auto ? 5000 : undefined);
  return (
    <Card
      title="Recent events"
      actions={
        <>
          <label className="switch-label small">
            <Switch checked={auto} onChange={setAuto} label="Refresh every 5 seconds" />
            <span>Auto-refresh</span>
          </label>
          <Button small icon="refresh" onClick={events.reload}>
            Refresh
          </Button>
        </>
      }
    >
      {events.error && <ErrorBanner error={events.error} />}
      {events.data && events.data.items.length === 0 && (
        <EmptyState icon="pulse" title="No events yet">
          Events appear here a few seconds after the evaluator reads them.
        </EmptyState>
      )}
      <ul className="events">
        {events.data?.items.map((event: RecentEvent) => (
          <li key={event.id} className={`event ${open === event.id ? 'event-open' : ''}`}>
            <button
              type="button"
              className="event-summary"
              aria-expanded={open === event.id}
              onClick={() => setOpen(open === event.id ? undefined : event.id)}
            >
              <span className="mono event-id">{event.id}</span>
              <span className="event-type">{event.type}</span>
              <TimeAgo iso={event.acceptedAt} />
            </button>
            {open === event.id && (
              <div className="event-detail">
                <Facts
                  items={[
                    ['Time', dateTime(event.time)],
                    ['Accepted', dateTime(event.acceptedAt)],
                    ['Subject', event.subject],
                    ['Trace', event.traceId && <code key="t">{event.traceId}</code>],
                  ]}
                />
                {event.dataExcerpt !== undefined && (
                  <CodeBlock
                    code={prettyExcerpt(event.dataExcerpt)}
                    label={`data of event ${event.id}`}
                    maxHeight={260}
                  />
                )}
                {event.dataTruncated && (
                  <p className="small muted">Only the start of the data is kept.</p>
                )}
              </div>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}
