import { Button } from '../components/buttons';
import { Field } from '../components/forms';
import { Icon } from '../components/icons';
import { Card } from '../components/layout';
import type { SourceRow } from '../logic/trigger-form';
import { CodeField, LinesField, useErrors } from './fields';
import type { Update } from './sections-basics';
import { ExpectOption } from './sections-pacing';
import type { TriggerForm } from '../logic/trigger-form';

const INLINE_PROVIDERS = ['webhook', 'poller', 'cron', 'file', 'event', 'run-status'];

const CONFIG_EXAMPLES: Record<string, string> = {
  webhook: 'path: my-hook\nauth:\n  type: none\n',
  poller: 'url: https://api.example.com/items\ninterval: 1m\nitems: $.items[*]\nkey: id\n',
  cron: "schedule: '*/5 * * * *'\n",
  file: 'directory: /data/in\npattern: "**/*.csv"\n',
  event: 'types:\n  - com.example.order.created\n',
  'run-status': 'triggers:\n  - deploy\nstatuses:\n  - FAILED\n',
};

export function ListenSection({
  form,
  update,
  sourceIds,
  fromOwnersEditable,
}: {
  form: TriggerForm;
  update: Update;
  sourceIds: string[];
  /** Only an admin may let other owners' events in; others see a setting that is there. */
  fromOwnersEditable: boolean;
}) {
  const errors = useErrors();
  const errorAt = errors.at;
  // Compound logic waits for several members: `within` bounds the wait, `correlate` pairs them.
  const compound = ['all', 'sequence', 'atLeast'].includes(form.logic);
  const sourcesError = errorAt('sources');
  const typesError = errorAt('eventTypes');
  return (
    <Card title="Listens to" id="listen">
      <p className="section-hint">Sources by id or declared here, event types, or both.</p>
      {sourcesError && (
        <p className="field-error" role="alert">
          {sourcesError}
        </p>
      )}
      <ul className="rows">
        {form.sources.map((row, index) => (
          <li key={index} className="row-card">
            {row.kind === 'ref' ? (
              <SourceRefRow index={index} row={row} update={update} sourceIds={sourceIds} />
            ) : (
              <InlineSourceRow index={index} row={row} update={update} />
            )}
            <Button
              small
              variant="ghost"
              icon="trash"
              aria-label={`Remove source ${index + 1}`}
              onClick={() => update((f) => void f.sources.splice(index, 1))}
            />
          </li>
        ))}
      </ul>
      <div className="button-row">
        <Button
          small
          icon="plus"
          onClick={() =>
            update((f) => void f.sources.push({ kind: 'ref', id: sourceIds[0] ?? '' }))
          }
        >
          Add a source
        </Button>
        <Button
          small
          icon="plus"
          onClick={() =>
            update(
              (f) =>
                void f.sources.push({
                  kind: 'inline',
                  id: '',
                  provider: 'webhook',
                  description: '',
                  config: CONFIG_EXAMPLES.webhook!,
                  extra: {},
                }),
            )
          }
        >
          Declare a source here
        </Button>
      </div>
      <LinesField
        label="Event types"
        error={typesError}
        hint="One per line: custom event types (com.example.order.created) or run statuses (flint.run.failed)."
        value={form.eventTypes}
        onChange={(types) =>
          update((f) => void (types ? (f.eventTypes = types) : delete f.eventTypes))
        }
      />
      {(fromOwnersEditable || form.fromOwners !== undefined) && (
        <FromOwnersField form={form} update={update} editable={fromOwnersEditable} />
      )}
      <div className="form-grid">
        <Field label="When several are listed" error={errorAt('logic')}>
          {(props) => (
            <select
              {...props}
              value={form.logic}
              onChange={(e) => update((f) => void (f.logic = e.target.value))}
            >
              <option value="">Each event fires (default)</option>
              <option value="any">Each event fires</option>
              <option value="all">Wait for one of each</option>
              <option value="sequence">Wait for each, in the listed order</option>
              <option value="atLeast">Wait for some of them</option>
            </select>
          )}
        </Field>
        {form.logic === 'atLeast' && (
          <Field label="How many" error={errorAt('logic.atLeast') ?? errorAt('logic')}>
            {(props) => (
              <input
                {...props}
                inputMode="numeric"
                value={form.atLeast}
                onChange={(e) => update((f) => void (f.atLeast = e.target.value))}
              />
            )}
          </Field>
        )}
        {compound && (
          <Field
            label="Within"
            error={errorAt('within')}
            hint="How long a partial match waits, like 1h."
          >
            {(props) => (
              <input
                {...props}
                value={form.within}
                onChange={(e) => update((f) => void (f.within = e.target.value))}
              />
            )}
          </Field>
        )}
      </div>
      {compound && (
        <CodeField
          label="Correlate by"
          path="correlate"
          value={form.correlate}
          onChange={(v) => update((f) => void (f.correlate = v))}
          hint="Only events with equal keys complete a match together, like event.data.orderId."
        />
      )}
      <ExpectOption form={form} update={update} />
    </Card>
  );
}

function FromOwnersField({
  form,
  update,
  editable,
}: {
  form: TriggerForm;
  update: Update;
  editable: boolean;
}) {
  const errorAt = useErrors().at;
  const mode = form.fromOwners === undefined ? '' : form.fromOwners === 'any' ? 'any' : 'list';
  if (!editable) {
    return (
      <p className="small muted" data-testid="from-owners">
        Also takes events of{' '}
        {form.fromOwners === 'any' ? 'every owner' : (form.fromOwners ?? []).join(', ')} (set by an
        admin).
      </p>
    );
  }
  return (
    <div className="form-grid">
      <Field label="Events of other owners" error={errorAt('fromOwners')}>
        {(props) => (
          <select
            {...props}
            value={mode}
            onChange={(e) =>
              update((f) => {
                if (e.target.value === '') delete f.fromOwners;
                else f.fromOwners = e.target.value === 'any' ? 'any' : [];
              })
            }
          >
            <option value="">only its own owner’s (default)</option>
            <option value="any">every owner’s</option>
            <option value="list">these owners’ too</option>
          </select>
        )}
      </Field>
      {Array.isArray(form.fromOwners) && (
        <LinesField
          label="Owners"
          hint="One per line."
          value={form.fromOwners}
          onChange={(owners) => update((f) => void (f.fromOwners = owners ?? []))}
        />
      )}
    </div>
  );
}

function SourceRefRow({
  index,
  row,
  update,
  sourceIds,
}: {
  index: number;
  row: Extract<SourceRow, { kind: 'ref' }>;
  update: Update;
  sourceIds: string[];
}) {
  const errors = useErrors();
  const errorAt = errors.at;
  const error = errorAt(`sources[${index}]`);
  const known = sourceIds.includes(row.id);
  return (
    <div className="row-fields">
      <Icon name="sources" />
      <Field label={`Source ${index + 1}`} error={error}>
        {(props) => (
          <select
            {...props}
            value={known ? row.id : ''}
            onChange={(e) =>
              update((f) => {
                f.sources[index] = { kind: 'ref', id: e.target.value };
              })
            }
          >
            {!known && (
              <option value="">{row.id ? `${row.id} (not found)` : 'Choose a source'}</option>
            )}
            {sourceIds.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        )}
      </Field>
    </div>
  );
}

function InlineSourceRow({
  index,
  row,
  update,
}: {
  index: number;
  row: Extract<SourceRow, { kind: 'inline' }>;
  update: Update;
}) {
  const errors = useErrors();
  const errorAt = errors.at;
  const set = (change: (r: Extract<SourceRow, { kind: 'inline' }>) => void) =>
    update((f) => {
      const current = f.sources[index];
      if (current?.kind === 'inline') change(current);
    });
  return (
    <div className="row-fields row-fields-stack">
      <div className="form-grid">
        <Field label={`Source ${index + 1}: kind`} error={errorAt(`sources[${index}].provider`)}>
          {(props) => (
            <select
              {...props}
              value={row.provider}
              onChange={(e) =>
                set((r) => {
                  if (r.config === CONFIG_EXAMPLES[r.provider] || r.config.trim() === '') {
                    r.config = CONFIG_EXAMPLES[e.target.value] ?? '';
                  }
                  r.provider = e.target.value;
                })
              }
            >
              {INLINE_PROVIDERS.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Id"
          optional
          error={errorAt(`sources[${index}].id`)}
          hint="Default: <trigger id>-source."
        >
          {(props) => (
            <input
              {...props}
              value={row.id}
              onChange={(e) => set((r) => void (r.id = e.target.value))}
            />
          )}
        </Field>
      </div>
      <CodeField
        label="Configuration"
        path={`sources[${index}].config`}
        extraProblems={errors.nested(`sources[${index}].config`)}
        language="yaml"
        lines={3}
        value={row.config}
        onChange={(v) => set((r) => void (r.config = v))}
      />
    </div>
  );
}
