import { Button } from '../components/buttons';
import { Field, Segmented } from '../components/forms';
import { Card } from '../components/layout';
import { emptyTarget, type InputRow, type TriggerForm } from '../logic/trigger-form';
import { issuePath } from '../logic/issue-path';
import { CodeField, useErrors } from './fields';
import type { Update } from './sections-basics';

const METHODS = ['POST', 'PUT', 'PATCH', 'GET', 'DELETE'];

export function TargetSection({ form, update }: { form: TriggerForm; update: Update }) {
  const errors = useErrors();
  const errorAt = errors.at;
  const t = form.target;
  const set = (change: (target: TriggerForm['target']) => void) => update((f) => change(f.target));
  return (
    <Card title="What it starts" id="target">
      <Segmented
        label="Workflow target"
        value={(t.type || 'local') as 'http' | 'kafka' | 'local'}
        options={[
          { value: 'local', label: 'Local workflow' },
          { value: 'http', label: 'HTTP call' },
          { value: 'kafka', label: 'Kafka message' },
        ]}
        onChange={(type) =>
          update(
            (f) =>
              void (f.target = {
                ...emptyTarget(type),
                extra: f.target.extra,
                ...(type === 'local' ? { workflow: 'echo' } : {}),
              }),
          )
        }
      />
      {errorAt('target.type') && (
        <p className="field-error" role="alert">
          {errorAt('target.type')}
        </p>
      )}
      {t.type === 'local' && (
        <div className="form-grid">
          <Field
            label="Workflow"
            error={errorAt('target.workflow')}
            hint="A workflow registered with the runner, like echo."
          >
            {(props) => (
              <input
                {...props}
                value={t.workflow}
                onChange={(e) => set((x) => void (x.workflow = e.target.value))}
              />
            )}
          </Field>
          <Field label="Timeout (ms)" optional error={errorAt('target.timeoutMs')}>
            {(props) => (
              <input
                {...props}
                inputMode="numeric"
                placeholder="30000"
                value={t.timeoutMs}
                onChange={(e) => set((x) => void (x.timeoutMs = e.target.value))}
              />
            )}
          </Field>
        </div>
      )}
      {t.type === 'http' && (
        <>
          <div className="form-grid form-grid-url">
            <Field label="Method" error={errorAt('target.method')}>
              {(props) => (
                <select
                  {...props}
                  value={t.method}
                  onChange={(e) => set((x) => void (x.method = e.target.value))}
                >
                  <option value="">POST (default)</option>
                  {METHODS.map((m) => (
                    <option key={m} value={m}>
                      {m}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="URL" error={errorAt('target.url')}>
              {(props) => (
                <input
                  {...props}
                  type="url"
                  placeholder="https://ci.example.com/deploy"
                  value={t.url}
                  onChange={(e) => set((x) => void (x.url = e.target.value))}
                />
              )}
            </Field>
          </div>
          <h3 className="subheading">Headers</h3>
          <ul className="rows">
            {t.headers.map((header, index) => (
              <li key={index} className="row-card">
                <div className="row-fields header-row">
                  <Field label="Name" error={errorAt(issuePath('target', 'headers', header.name))}>
                    {(props) => (
                      <input
                        {...props}
                        value={header.name}
                        onChange={(e) => set((x) => void (x.headers[index]!.name = e.target.value))}
                      />
                    )}
                  </Field>
                  <Field label={header.secret ? 'Secret name' : 'Value'}>
                    {(props) => (
                      <input
                        {...props}
                        value={header.value}
                        onChange={(e) =>
                          set((x) => void (x.headers[index]!.value = e.target.value))
                        }
                      />
                    )}
                  </Field>
                  <label className="checkbox">
                    <input
                      type="checkbox"
                      checked={header.secret}
                      onChange={(e) =>
                        set((x) => void (x.headers[index]!.secret = e.target.checked))
                      }
                    />
                    from a secret
                  </label>
                </div>
                <Button
                  small
                  variant="ghost"
                  icon="trash"
                  aria-label={`Remove header ${header.name || index + 1}`}
                  onClick={() => set((x) => void x.headers.splice(index, 1))}
                />
              </li>
            ))}
          </ul>
          <Button
            small
            icon="plus"
            onClick={() => set((x) => void x.headers.push({ name: '', value: '', secret: false }))}
          >
            Add a header
          </Button>
          <div className="form-grid">
            <Field label="Timeout (ms)" optional error={errorAt('target.timeoutMs')}>
              {(props) => (
                <input
                  {...props}
                  inputMode="numeric"
                  placeholder="10000"
                  value={t.timeoutMs}
                  onChange={(e) => set((x) => void (x.timeoutMs = e.target.value))}
                />
              )}
            </Field>
            <Field
              label="Success codes"
              optional
              error={errorAt('target.successCodes')}
              hint="Comma-separated; any 2xx when empty."
            >
              {(props) => (
                <input
                  {...props}
                  placeholder="200, 202"
                  value={t.successCodes}
                  onChange={(e) => set((x) => void (x.successCodes = e.target.value))}
                />
              )}
            </Field>
          </div>
        </>
      )}
      {t.type === 'kafka' && (
        <>
          <Field label="Topic" error={errorAt('target.topic')}>
            {(props) => (
              <input
                {...props}
                placeholder="workflows.deploy"
                value={t.topic}
                onChange={(e) => set((x) => void (x.topic = e.target.value))}
              />
            )}
          </Field>
          <CodeField
            label="Message key"
            path="target.key"
            value={t.key}
            onChange={(v) => set((x) => void (x.key = v))}
            placeholder="the run id (default)"
          />
        </>
      )}
      {(t.type === 'http' || t.type === 'kafka') && (
        <CompletionFields form={form} update={update} />
      )}
    </Card>
  );
}

/** A remote workflow's run is over when the target accepted it, or when the workflow says so. */
function CompletionFields({ form, update }: { form: TriggerForm; update: Update }) {
  const errorAt = useErrors().at;
  const t = form.target;
  return (
    <div className="form-grid">
      <Field label="The run is over" error={errorAt('target.completion')}>
        {(props) => (
          <select
            {...props}
            value={t.completion}
            onChange={(e) =>
              update((f) => {
                f.target.completion = e.target.value;
                if (e.target.value !== 'callback') f.target.completionTimeout = '';
              })
            }
          >
            <option value="">when the target accepted it (default)</option>
            <option value="accepted">when the target accepted it</option>
            <option value="callback">when the workflow calls back</option>
          </select>
        )}
      </Field>
      {t.completion === 'callback' && (
        <Field
          label="Callback deadline"
          optional
          error={errorAt('target.completionTimeout')}
          hint="How long to wait for the outcome before the run fails, like 30m; default 1h."
        >
          {(props) => (
            <input
              {...props}
              placeholder="1h"
              value={t.completionTimeout}
              onChange={(e) => update((f) => void (f.target.completionTimeout = e.target.value))}
            />
          )}
        </Field>
      )}
    </div>
  );
}

export function InputSection({ form, update }: { form: TriggerForm; update: Update }) {
  const errors = useErrors();
  const errorAt = errors.at;
  const input = form.input;
  const inputError = errorAt('input');
  return (
    <Card title="Workflow input" id="input">
      <Segmented
        label="Input mapping"
        value={input.mode}
        options={[
          { value: 'none', label: 'The event' },
          { value: 'fields', label: 'Fields' },
          { value: 'expression', label: 'One expression' },
        ]}
        onChange={(mode) =>
          update((f) => {
            f.input =
              mode === 'none'
                ? { mode }
                : mode === 'expression'
                  ? { mode, expression: 'event.data' }
                  : { mode, fields: [{ name: 'data', kind: 'expression', value: 'event.data' }] };
          })
        }
      />
      {input.mode === 'none' && (
        <p className="section-hint">The workflow gets the event as its input.</p>
      )}
      {input.mode === 'expression' && (
        <CodeField
          label="Input (CEL)"
          path="input"
          lines={2}
          value={input.expression}
          onChange={(v) =>
            update((f) => void (f.input.mode === 'expression' && (f.input.expression = v)))
          }
        />
      )}
      {input.mode === 'fields' && (
        <>
          {inputError && (
            <p className="field-error" role="alert">
              {inputError}
            </p>
          )}
          <ul className="rows">
            {input.fields.map((field, index) => (
              <li key={index} className="row-card">
                <InputFieldRow field={field} index={index} update={update} />
                <Button
                  small
                  variant="ghost"
                  icon="trash"
                  aria-label={`Remove input field ${field.name || index + 1}`}
                  onClick={() =>
                    update(
                      (f) => void (f.input.mode === 'fields' && f.input.fields.splice(index, 1)),
                    )
                  }
                />
              </li>
            ))}
          </ul>
          <Button
            small
            icon="plus"
            onClick={() =>
              update(
                (f) =>
                  void (
                    f.input.mode === 'fields' &&
                    f.input.fields.push({ name: '', kind: 'expression', value: '' })
                  ),
              )
            }
          >
            Add a field
          </Button>
        </>
      )}
    </Card>
  );
}

function InputFieldRow({
  field,
  index,
  update,
}: {
  field: InputRow;
  index: number;
  update: Update;
}) {
  const errors = useErrors();
  const errorAt = errors.at;
  const set = (change: (row: InputRow) => void) =>
    update((f) => {
      if (f.input.mode === 'fields' && f.input.fields[index]) change(f.input.fields[index]);
    });
  const path = issuePath('input', field.name);
  const valueError = errorAt(path);
  return (
    <div className="row-fields input-row">
      <Field label="Field">
        {(props) => (
          <input
            {...props}
            className="mono"
            value={field.name}
            onChange={(e) => set((r) => void (r.name = e.target.value))}
          />
        )}
      </Field>
      <Field label="Is">
        {(props) => (
          <select
            {...props}
            value={field.kind}
            onChange={(e) => set((r) => void (r.kind = e.target.value as InputRow['kind']))}
          >
            <option value="expression">a CEL expression</option>
            <option value="value">a number, true, false or null</option>
          </select>
        )}
      </Field>
      {field.kind === 'expression' ? (
        <CodeField
          label="Expression"
          path={path}
          value={field.value}
          onChange={(v) => set((r) => void (r.value = v))}
          placeholder="event.data.id"
        />
      ) : (
        <Field label="Value" error={valueError}>
          {(props) => (
            <input
              {...props}
              className="mono"
              value={field.value}
              onChange={(e) => set((r) => void (r.value = e.target.value))}
            />
          )}
        </Field>
      )}
    </div>
  );
}
