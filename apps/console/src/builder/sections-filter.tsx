import { Button } from '../components/buttons';
import { Field } from '../components/forms';
import { Card } from '../components/layout';
import { MATCH_OPERATORS, type MatchRow, type TriggerForm } from '../logic/trigger-form';
import { issuePath } from '../logic/issue-path';
import { CodeField, useErrors } from './fields';
import type { Update } from './sections-basics';

const MODES: Array<{ value: MatchRow['mode']; label: string }> = [
  { value: 'equals', label: 'equals' },
  { value: 'anyOf', label: 'is one of' },
  { value: 'compare', label: 'compares' },
];

export function FilterSection({ form, update }: { form: TriggerForm; update: Update }) {
  return (
    <Card title="Which events fire it" id="filter">
      <p className="section-hint">
        Every <strong>match</strong> entry and the <strong>condition</strong> must hold. Leave both
        empty to fire on every event.
      </p>
      <h3 className="subheading">Match</h3>
      <MatchRows form={form} update={update} />
      <CodeField
        label="Condition (CEL)"
        path="condition"
        lines={3}
        value={form.condition}
        onChange={(v) => update((f) => void (f.condition = v))}
        placeholder="event.data.ref == 'refs/heads/main'"
        hint={
          <>
            A CEL expression over <code>event</code> (and <code>trigger</code>) that gives true or
            false.
          </>
        }
      />
    </Card>
  );
}

function MatchRows({ form, update }: { form: TriggerForm; update: Update }) {
  const errors = useErrors();
  const errorAt = errors.at;
  const rows = form.match ?? [];
  const matchError = errorAt('match');
  const setRow = (index: number, change: (row: MatchRow) => void) =>
    update((f) => {
      const row = f.match?.[index];
      if (row) change(row);
    });
  return (
    <>
      {matchError && (
        <p className="field-error" role="alert">
          {matchError}
        </p>
      )}
      <ul className="rows">
        {rows.map((row, index) => (
          <li key={index} className="row-card">
            <MatchRowFields row={row} index={index} setRow={setRow} />
            <Button
              small
              variant="ghost"
              icon="trash"
              aria-label={`Remove match entry ${index + 1}`}
              onClick={() =>
                update((f) => {
                  f.match?.splice(index, 1);
                  if (f.match?.length === 0) delete f.match;
                })
              }
            />
          </li>
        ))}
      </ul>
      <Button
        small
        icon="plus"
        onClick={() =>
          update((f) => {
            f.match = [
              ...(f.match ?? []),
              {
                path: '',
                mode: 'equals',
                value: '',
                values: '',
                operators: [{ op: 'gte', value: '' }],
              },
            ];
          })
        }
      >
        Add a match entry
      </Button>
    </>
  );
}

function MatchRowFields({
  row,
  index,
  setRow,
}: {
  row: MatchRow;
  index: number;
  setRow: (index: number, change: (row: MatchRow) => void) => void;
}) {
  const errors = useErrors();
  const errorAt = errors.at;
  const at = issuePath('match', row.path);
  const error = errorAt(at);
  return (
    <div className="row-fields match-row">
      <Field label="Field" hint={index === 0 ? 'A dotted path: type, data.ref…' : undefined}>
        {(props) => (
          <input
            {...props}
            className="mono"
            value={row.path}
            placeholder="data.ref"
            onChange={(e) => setRow(index, (r) => void (r.path = e.target.value))}
          />
        )}
      </Field>
      <Field label="Test">
        {(props) => (
          <select
            {...props}
            value={row.mode}
            onChange={(e) =>
              setRow(index, (r) => void (r.mode = e.target.value as MatchRow['mode']))
            }
          >
            {MODES.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {row.mode === 'equals' && (
        <Field
          label="Value"
          error={error}
          hint={index === 0 ? 'Text as is; 42, true, null as such; "42" for the text.' : undefined}
        >
          {(props) => (
            <input
              {...props}
              className="mono"
              value={row.value}
              onChange={(e) => setRow(index, (r) => void (r.value = e.target.value))}
            />
          )}
        </Field>
      )}
      {row.mode === 'anyOf' && (
        <Field label="Values, one per line" error={error}>
          {(props) => (
            <textarea
              {...props}
              className="mono"
              rows={2}
              value={row.values}
              onChange={(e) => setRow(index, (r) => void (r.values = e.target.value))}
            />
          )}
        </Field>
      )}
      {row.mode === 'compare' && (
        <div className="operators">
          {row.operators.map((operator, i) => (
            <div key={i} className="operator">
              <select
                aria-label="Operator"
                value={operator.op}
                onChange={(e) =>
                  setRow(
                    index,
                    (r) => void (r.operators[i]!.op = e.target.value as typeof operator.op),
                  )
                }
              >
                {MATCH_OPERATORS.map((op) => (
                  <option key={op} value={op}>
                    {op}
                  </option>
                ))}
              </select>
              <input
                aria-label={`Value for ${operator.op}`}
                className="mono"
                value={operator.value}
                onChange={(e) =>
                  setRow(index, (r) => void (r.operators[i]!.value = e.target.value))
                }
              />
            </div>
          ))}
          <Button
            small
            variant="ghost"
            icon="plus"
            onClick={() => setRow(index, (r) => void r.operators.push({ op: 'lt', value: '' }))}
          >
            Operator
          </Button>
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
