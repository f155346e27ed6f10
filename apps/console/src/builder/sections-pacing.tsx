import { Field } from '../components/forms';
import type { TriggerForm } from '../logic/trigger-form';
import { CodeField, useErrors } from './fields';
import type { Update } from './sections-basics';
import { Optional } from './optional';

/** A one-line text field bound to a definition path, with that path's problems. */
function TextField({
  label,
  path,
  value,
  onChange,
  hint,
  placeholder,
  numeric,
}: {
  label: string;
  path: string;
  value: string;
  onChange: (value: string) => void;
  hint?: string;
  placeholder?: string;
  numeric?: boolean;
}) {
  const errors = useErrors();
  return (
    <Field label={label} error={errors.at(path)} hint={hint}>
      {(props) => (
        <input
          {...props}
          value={value}
          placeholder={placeholder}
          inputMode={numeric ? 'numeric' : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

/** A choice among the schema's words; empty leaves the field out (the server's default). */
function ChoiceField({
  label,
  path,
  value,
  onChange,
  choices,
}: {
  label: string;
  path: string;
  value: string;
  onChange: (value: string) => void;
  choices: Array<[string, string]>;
}) {
  const errors = useErrors();
  return (
    <Field label={label} error={errors.at(path)}>
      {(props) => (
        <select {...props} value={value} onChange={(e) => onChange(e.target.value)}>
          {choices.map(([choice, words]) => (
            <option key={choice} value={choice}>
              {words}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function DebounceOption({ form, update }: { form: TriggerForm; update: Update }) {
  const d = form.debounce;
  const edit = (change: (debounce: NonNullable<TriggerForm['debounce']>) => void) =>
    update((f) => void (f.debounce && change(f.debounce)));
  return (
    <Optional
      id="opt-debounce"
      title="Debounce"
      hint="start one run once a key has been quiet for a while"
      on={d !== undefined}
      onToggle={(on) =>
        update(
          (f) =>
            void (on
              ? (f.debounce = { period: '30s', key: '', maxWait: '', deliver: '', extra: {} })
              : delete f.debounce),
        )
      }
    >
      <div className="form-grid">
        <TextField
          label="Quiet for"
          path="debounce.period"
          value={d?.period ?? ''}
          onChange={(v) => edit((x) => void (x.period = v))}
          hint="Like 30s or 5m."
        />
        <TextField
          label="At most after"
          path="debounce.maxWait"
          value={d?.maxWait ?? ''}
          onChange={(v) => edit((x) => void (x.maxWait = v))}
          hint="From the first event, however busy; optional."
        />
        <ChoiceField
          label="The run gets"
          path="debounce.deliver"
          value={d?.deliver ?? ''}
          onChange={(v) => edit((x) => void (x.deliver = v))}
          choices={[
            ['', 'the last event (default)'],
            ['last', 'the last event'],
            ['all', 'every event, as a batch'],
          ]}
        />
      </div>
      <CodeField
        label="Separate debounces by"
        path="debounce.key"
        value={d?.key ?? ''}
        onChange={(v) => edit((x) => void (x.key = v))}
        placeholder="event.data.orderId"
      />
    </Optional>
  );
}

export function RateLimitOption({ form, update }: { form: TriggerForm; update: Update }) {
  const r = form.rateLimit;
  const edit = (change: (rateLimit: NonNullable<TriggerForm['rateLimit']>) => void) =>
    update((f) => void (f.rateLimit && change(f.rateLimit)));
  return (
    <Optional
      id="opt-rate-limit"
      title="Rate limit"
      hint="at most so many runs per key in a sliding period"
      on={r !== undefined}
      onToggle={(on) =>
        update(
          (f) =>
            void (on
              ? (f.rateLimit = { limit: '10', period: '1m', key: '', onExceed: '', extra: {} })
              : delete f.rateLimit),
        )
      }
    >
      <div className="form-grid">
        <TextField
          label="Runs"
          path="rateLimit.limit"
          value={r?.limit ?? ''}
          onChange={(v) => edit((x) => void (x.limit = v))}
          numeric
        />
        <TextField
          label="Per"
          path="rateLimit.period"
          value={r?.period ?? ''}
          onChange={(v) => edit((x) => void (x.period = v))}
          hint="Like 1m or 1h."
        />
        <ChoiceField
          label="Beyond the limit"
          path="rateLimit.onExceed"
          value={r?.onExceed ?? ''}
          onChange={(v) => edit((x) => void (x.onExceed = v))}
          choices={[
            ['', 'drop the run (default)'],
            ['drop', 'drop the run'],
            ['delay', 'delay it to the next free slot'],
          ]}
        />
      </div>
      <CodeField
        label="Separate limits by"
        path="rateLimit.key"
        value={r?.key ?? ''}
        onChange={(v) => edit((x) => void (x.key = v))}
        placeholder="event.data.customerId"
      />
    </Optional>
  );
}

/** An absence trigger: `missing` after `after` within a time, or silence for a time. */
export function ExpectOption({ form, update }: { form: TriggerForm; update: Update }) {
  const x = form.expect;
  const edit = (change: (expect: NonNullable<TriggerForm['expect']>) => void) =>
    update((f) => void (f.expect && change(f.expect)));
  const members = [
    ...form.sources.map((row) => row.id),
    ...(form.eventTypes ?? []).filter((type) => type !== ''),
  ];
  const memberChoices = (none: string): Array<[string, string]> => [
    ['', none],
    ...members.map((member): [string, string] => [member, member]),
  ];
  return (
    <Optional
      id="opt-expect"
      title="Expect"
      hint="run when an expected event does not come"
      on={x !== undefined}
      onToggle={(on) =>
        update(
          (f) =>
            void (on
              ? (f.expect = { after: '', missing: '', within: '', for: '', key: '', extra: {} })
              : delete f.expect),
        )
      }
    >
      <div className="form-grid">
        <ChoiceField
          label="After"
          path="expect.after"
          value={x?.after ?? ''}
          onChange={(v) => edit((e) => void (e.after = v))}
          choices={memberChoices('— (silence: none for a while)')}
        />
        <ChoiceField
          label="Missing"
          path="expect.missing"
          value={x?.missing ?? ''}
          onChange={(v) => edit((e) => void (e.missing = v))}
          choices={memberChoices('choose a source or type')}
        />
        {x?.after ? (
          <TextField
            label="Within"
            path="expect.within"
            value={x.within}
            onChange={(v) => edit((e) => void (e.within = v))}
            hint="How long the missing event may take, like 1h."
          />
        ) : (
          <TextField
            label="For"
            path="expect.for"
            value={x?.for ?? ''}
            onChange={(v) => edit((e) => void (e.for = v))}
            hint="How long a silence fires the trigger, like 15m."
          />
        )}
      </div>
      <CodeField
        label="Match them by"
        path="expect.key"
        value={x?.key ?? ''}
        onChange={(v) => edit((e) => void (e.key = v))}
        placeholder="event.data.orderId"
        hint="Only events with equal keys answer each other; one expectation when empty."
      />
    </Optional>
  );
}
