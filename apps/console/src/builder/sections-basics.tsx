import { Field, Switch } from '../components/forms';
import { Card } from '../components/layout';
import type { TriggerForm } from '../logic/trigger-form';
import { useErrors } from './fields';

export type Update = (change: (form: TriggerForm) => void) => void;

export function BasicsSection({
  form,
  update,
  editing,
  ownerFixed,
}: {
  form: TriggerForm;
  update: Update;
  editing: boolean;
  ownerFixed: boolean;
}) {
  const errors = useErrors();
  const errorAt = errors.at;
  return (
    <Card title="Basics" id="basics">
      <div className="form-grid">
        <Field
          label="Id"
          error={errorAt('id')}
          hint={editing ? 'The id of a saved trigger stays.' : 'Lowercase letters, digits and “-”.'}
        >
          {(props) => (
            <input
              {...props}
              value={form.id}
              disabled={editing}
              placeholder="deploy-on-push"
              spellCheck={false}
              onChange={(e) => update((f) => void (f.id = e.target.value))}
            />
          )}
        </Field>
        <Field
          label="Owner"
          error={errorAt('owner')}
          hint={ownerFixed ? 'Your key’s owner.' : 'The team it belongs to; default: default.'}
        >
          {(props) => (
            <input
              {...props}
              value={form.owner}
              disabled={ownerFixed}
              placeholder="default"
              spellCheck={false}
              onChange={(e) => update((f) => void (f.owner = e.target.value))}
            />
          )}
        </Field>
      </div>
      <Field label="Description" optional error={errorAt('description')}>
        {(props) => (
          <input
            {...props}
            value={form.description}
            placeholder="What it is for, in a line"
            onChange={(e) => update((f) => void (f.description = e.target.value))}
          />
        )}
      </Field>
      <div className="inline-field">
        <Switch
          checked={form.enabled ?? true}
          onChange={(checked) => update((f) => void (f.enabled = checked))}
          label="Enabled"
          id="trigger-enabled"
        />
        <label htmlFor="trigger-enabled">Enabled: it fires as soon as it is saved</label>
      </div>
    </Card>
  );
}
