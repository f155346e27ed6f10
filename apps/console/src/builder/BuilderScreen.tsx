import type { DefinitionPage, StoredTrigger } from '@flint/contracts';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, seg } from '../api/client';
import { useLoad } from '../app/hooks';
import { Link, useRouter } from '../app/router';
import { canChange, useSession } from '../app/session';
import { Button } from '../components/buttons';
import { ErrorBanner, Loading } from '../components/feedback';
import { Icon } from '../components/icons';
import { EmptyState, PageHeader } from '../components/layout';
import { Tabs } from '../components/tabs';
import {
  fromDefinition,
  newTriggerForm,
  toDefinition,
  type TriggerForm,
} from '../logic/trigger-form';
import { fromYaml, toYaml } from '../logic/yaml';
import { BacktestDialog } from '../screens/BacktestDialog';
import { TestFirePanel } from '../screens/TestFirePanel';
import { CodeEditor } from './CodeEditor';
import { ConflictDialog } from './ConflictDialog';
import { IssuesProvider } from './fields';
import { BasicsSection } from './sections-basics';
import { ControlSection, RetrySection } from './sections-control';
import { FilterSection } from './sections-filter';
import { InputSection, TargetSection } from './sections-target';
import { ListenSection } from './sections-listen';
import { RunOrderSection } from './sections-run-order';
import { useValidation } from './validation';

/** A stored trigger as the builder edits it: its version travels in If-Match, not in the body. */
function editable(stored: StoredTrigger): Record<string, unknown> {
  const {
    version: _version,
    updatedAt: _updatedAt,
    ...body
  } = stored as unknown as Record<string, unknown>;
  return body;
}

export interface Conflict {
  mine: Record<string, unknown>;
  theirs: StoredTrigger;
}

/**
 * Create or edit a trigger: a form over every field of the trigger schema, a YAML view of the same
 * definition (editing either updates the other), validation as you type, a live test-fire against a
 * sample event, and a save that never overwrites someone else's change unknowingly.
 */
export default function BuilderScreen({ id }: { id?: string }) {
  const { client, principal } = useSession();
  const stored = useLoad(
    (signal) =>
      id === undefined
        ? Promise.resolve(undefined)
        : client.get<StoredTrigger>(`/api/triggers/${seg(id)}`, {}, signal),
    [client, id],
  );
  if (stored.error)
    return <ErrorBanner error={stored.error} title={`Trigger ${id} could not be loaded`} />;
  if (id !== undefined && !stored.data) return <Loading />;
  if (!canChange(principal, stored.data?.owner ?? principal.owner)) {
    return (
      <EmptyState
        icon="secrets"
        title="This key may not change triggers"
        action={<Link to="/triggers">Back to the triggers</Link>}
      >
        Ask an admin for an editor key of your owner.
      </EmptyState>
    );
  }
  return <Builder key={id ?? 'new'} stored={stored.data} />;
}

function Builder({ stored }: { stored?: StoredTrigger }) {
  const { client, principal } = useSession();
  const { navigate } = useRouter();
  const [form, setForm] = useState<TriggerForm>(() =>
    stored ? fromDefinition(editable(stored)) : newTriggerForm(principal.owner ?? ''),
  );
  const [yamlText, setYamlText] = useState(() => toYaml(toDefinition(form).definition));
  const [yamlError, setYamlError] = useState<{ message: string; line?: number; column?: number }>();
  const [baseVersion, setBaseVersion] = useState(stored?.version);
  const [panel, setPanel] = useState<'test' | 'yaml'>('test');
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<Error>();
  const [conflict, setConflict] = useState<Conflict>();
  const [dirty, setDirty] = useState(false);
  const [backtesting, setBacktesting] = useState(false);

  const { definition, problems } = useMemo(() => toDefinition(form), [form]);
  const verdict = useValidation(client, definition);
  const issues = useMemo(() => [...problems, ...verdict.issues], [problems, verdict.issues]);

  const sources = useLoad(
    (signal) => client.get<DefinitionPage>('/api/sources', { limit: 500 }, signal),
    [client],
  );
  const sourceIds = useMemo(() => sources.data?.items.map((s) => s.id) ?? [], [sources.data]);
  const listenedSources = form.sources.flatMap((row) =>
    row.kind === 'ref' && row.id ? [row.id] : [],
  );

  /** Form edits: the YAML follows. */
  const update = useCallback((change: (draft: TriggerForm) => void) => {
    setForm((current) => {
      const next = structuredClone(current);
      change(next);
      setYamlText(toYaml(toDefinition(next).definition));
      setYamlError(undefined);
      return next;
    });
    setDirty(true);
  }, []);

  /** YAML edits: the form follows while the YAML parses. */
  const onYaml = (text: string) => {
    setYamlText(text);
    setDirty(true);
    const parsed = fromYaml(text);
    if (!parsed.ok) {
      setYamlError(parsed);
      return;
    }
    setYamlError(undefined);
    setForm(fromDefinition(parsed.value));
  };

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const save = async (ifMatch = baseVersion) => {
    setSaving(true);
    setSaveError(undefined);
    try {
      if (stored) {
        await client.put<StoredTrigger>(`/api/triggers/${seg(stored.id)}`, definition, { ifMatch });
      } else {
        await client.post<StoredTrigger>('/api/triggers', definition);
      }
      setDirty(false);
      navigate(`/triggers/${String(definition.id)}`);
    } catch (err) {
      if (stored && err instanceof ApiError && err.code === 'version_conflict') {
        const theirs = await client.get<StoredTrigger>(`/api/triggers/${seg(stored.id)}`);
        setConflict({ mine: definition, theirs });
      } else {
        setSaveError(err as Error);
      }
    } finally {
      setSaving(false);
    }
  };

  const problemCount = issues.length + (yamlError ? 1 : 0);
  return (
    <IssuesProvider issues={issues}>
      <PageHeader
        crumbs={[
          { label: 'Triggers', to: '/triggers' },
          ...(stored ? [{ label: stored.id, to: `/triggers/${stored.id}` }] : []),
        ]}
        title={stored ? `Edit ${stored.id}` : 'New trigger'}
        subtitle={
          stored
            ? `Editing version ${baseVersion}`
            : 'Build it here or in YAML; test it on a real event before saving.'
        }
        actions={
          <>
            <ValidationStatus count={problemCount} checking={verdict.checking} />
            <Button
              icon="history"
              onClick={() => setBacktesting(true)}
              disabled={problemCount > 0}
              title={problemCount > 0 ? 'Fix the problems first' : undefined}
            >
              Backtest
            </Button>
            <Button onClick={() => navigate(stored ? `/triggers/${stored.id}` : '/triggers')}>
              Cancel
            </Button>
            <Button
              variant="primary"
              icon="check"
              busy={saving}
              onClick={() => void save()}
              disabled={Boolean(yamlError)}
            >
              {stored ? 'Save changes' : 'Create trigger'}
            </Button>
          </>
        }
      />
      {saveError && <ErrorBanner error={saveError} title="Not saved" />}
      <div className="builder">
        <div className="builder-form">
          <BasicsSection
            form={form}
            update={update}
            editing={Boolean(stored)}
            ownerFixed={principal.role !== 'admin'}
          />
          <ListenSection
            form={form}
            update={update}
            sourceIds={sourceIds}
            fromOwnersEditable={principal.role === 'admin'}
          />
          <FilterSection form={form} update={update} />
          <TargetSection form={form} update={update} />
          <InputSection form={form} update={update} />
          <ControlSection form={form} update={update} />
          <RunOrderSection form={form} update={update} />
          <RetrySection form={form} update={update} />
          {issues.some((issue) => issue.path === '') && (
            <ErrorBanner
              error={
                new Error(
                  issues
                    .filter((i) => i.path === '')
                    .map((i) => i.message)
                    .join('; '),
                )
              }
              title="The trigger"
            />
          )}
        </div>
        <aside className="builder-side" aria-label="Test and YAML">
          <Tabs
            label="Builder tools"
            active={panel}
            onChange={setPanel}
            tabs={[
              { id: 'test', label: 'Test' },
              { id: 'yaml', label: yamlError ? 'YAML ⚠' : 'YAML' },
            ]}
          >
            {panel === 'test' ? (
              <TestFirePanel
                sourceIds={listenedSources}
                draft={definition}
                live
                ready={verdict.by === 'server' && issues.length === 0}
                editor={({ value, onChange, labelledBy, describedBy }) => (
                  <CodeEditor
                    value={value}
                    onChange={onChange}
                    language="json"
                    lines={8}
                    gutter
                    testId="sample-editor"
                    labelledBy={labelledBy}
                    describedBy={describedBy}
                  />
                )}
              />
            ) : (
              <div className="yaml-panel">
                <p className="small muted">
                  The same trigger as YAML, as `flint apply` reads it. Edit either side.
                </p>
                <span id="yaml-label" className="sr-only">
                  Trigger definition as YAML
                </span>
                <CodeEditor
                  value={yamlText}
                  onChange={onYaml}
                  language="yaml"
                  lines={20}
                  gutter
                  labelledBy="yaml-label"
                  testId="yaml-editor"
                  problems={
                    yamlError?.line
                      ? [
                          {
                            from: offsetOf(yamlText, yamlError.line, yamlError.column ?? 1),
                            to: offsetOf(yamlText, yamlError.line, yamlError.column ?? 1) + 1,
                            message: yamlError.message,
                          },
                        ]
                      : []
                  }
                />
                {yamlError && (
                  <p className="field-error" role="alert">
                    {yamlError.line ? `Line ${yamlError.line}, column ${yamlError.column}: ` : ''}
                    {yamlError.message}
                  </p>
                )}
              </div>
            )}
          </Tabs>
        </aside>
      </div>
      {/* Mounted per opening: a result always belongs to the draft as it is now. */}
      {backtesting && (
        <BacktestDialog
          subject={{ trigger: definition }}
          open
          onClose={() => setBacktesting(false)}
        />
      )}
      {conflict && stored && (
        <ConflictDialog
          conflict={conflict}
          onClose={() => setConflict(undefined)}
          onTakeTheirs={() => {
            const theirs = conflict.theirs;
            setForm(fromDefinition(editable(theirs)));
            setYamlText(toYaml(editable(theirs)));
            setBaseVersion(theirs.version);
            setConflict(undefined);
            setDirty(false);
          }}
          onOverwrite={() => {
            setBaseVersion(conflict.theirs.version);
            setConflict(undefined);
            void save(conflict.theirs.version);
          }}
        />
      )}
    </IssuesProvider>
  );
}

function ValidationStatus({ count, checking }: { count: number; checking: boolean }) {
  return (
    <span
      className={`validation ${count === 0 ? 'validation-ok' : 'validation-bad'}`}
      role="status"
      data-testid="validation-status"
    >
      <Icon name={count === 0 ? 'check' : 'alert'} size={14} />
      {count === 0
        ? checking
          ? 'Checking…'
          : 'Valid'
        : `${count} problem${count === 1 ? '' : 's'}`}
    </span>
  );
}

/** The offset of a 1-based line and column in `text`. */
function offsetOf(text: string, line: number, column: number): number {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += (lines[i]?.length ?? 0) + 1;
  return offset + column - 1;
}
