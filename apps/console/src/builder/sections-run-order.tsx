import { Card } from '../components/layout';
import type { TriggerForm } from '../logic/trigger-form';
import { CodeField, LinesField, useErrors } from './fields';
import { Optional } from './optional';
import type { Update } from './sections-basics';

/** Which queued runs start first, and which events call runs off. */
export function RunOrderSection({ form, update }: { form: TriggerForm; update: Update }) {
  const errorAt = useErrors().at;
  const c = form.cancelOn;
  return (
    <Card title="Priority and cancelling" id="run-order">
      <CodeField
        label="Priority"
        path="priority"
        value={form.priority}
        onChange={(v) => update((f) => void (f.priority = v))}
        placeholder="0 (default)"
        hint="A whole number from -100 to 100, or CEL giving one, like event.data.tier == 'gold' ? 10 : 0. Under a backlog of a concurrency key, higher starts first."
      />
      <Optional
        id="opt-cancel-on"
        title="Cancel on"
        hint="events that call off queued or running runs"
        on={c !== undefined}
        onToggle={(on) =>
          update(
            (f) =>
              void (on
                ? (f.cancelOn = { condition: '', match: '', extra: {} })
                : delete f.cancelOn),
          )
        }
      >
        {errorAt('cancelOn') && (
          <p className="field-error" role="alert">
            {errorAt('cancelOn')}
          </p>
        )}
        <div className="form-grid">
          <LinesField
            label="From sources"
            hint="Source ids, one per line."
            error={errorAt('cancelOn.sources')}
            value={c?.sources}
            onChange={(sources) =>
              update((f) => {
                if (!f.cancelOn) return;
                if (sources) f.cancelOn.sources = sources;
                else delete f.cancelOn.sources;
              })
            }
          />
          <LinesField
            label="Of event types"
            hint="One per line."
            error={errorAt('cancelOn.eventTypes')}
            value={c?.eventTypes}
            onChange={(types) =>
              update((f) => {
                if (!f.cancelOn) return;
                if (types) f.cancelOn.eventTypes = types;
                else delete f.cancelOn.eventTypes;
              })
            }
          />
        </div>
        <CodeField
          label="Only when"
          path="cancelOn.condition"
          value={c?.condition ?? ''}
          onChange={(v) => update((f) => void (f.cancelOn && (f.cancelOn.condition = v)))}
          placeholder="every such event cancels"
        />
        <CodeField
          label="Match key"
          path="cancelOn.match"
          value={c?.match ?? ''}
          onChange={(v) => update((f) => void (f.cancelOn && (f.cancelOn.match = v)))}
          placeholder="cancels all of the trigger's runs"
          hint="CEL over the run's causing event and the cancelling one; equal keys cancel, like event.data.orderId."
        />
      </Optional>
    </Card>
  );
}
