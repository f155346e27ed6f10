import { Field } from '../components/forms';
import { Card } from '../components/layout';
import type { TriggerForm } from '../logic/trigger-form';
import { CodeField, useErrors } from './fields';
import { Optional } from './optional';
import type { Update } from './sections-basics';
import { DebounceOption, RateLimitOption } from './sections-pacing';

export function ControlSection({ form, update }: { form: TriggerForm; update: Update }) {
  const errors = useErrors();
  const errorAt = errors.at;
  return (
    <Card title="Dedupe, batching, pacing and concurrency" id="control">
      <Optional
        id="opt-dedupe"
        title="Dedupe"
        hint="events with the same key start one run within a window"
        on={form.dedupe !== undefined}
        onToggle={(on) =>
          update(
            (f) => void (on ? (f.dedupe = { key: '', window: '', extra: {} }) : delete f.dedupe),
          )
        }
      >
        <CodeField
          label="Key"
          path="dedupe.key"
          value={form.dedupe?.key ?? ''}
          onChange={(v) => update((f) => void (f.dedupe && (f.dedupe.key = v)))}
          placeholder="event.id (default)"
        />
        <Field label="Window" error={errorAt('dedupe.window')} hint="Like 10m, 1h30m; default 24h.">
          {(props) => (
            <input
              {...props}
              value={form.dedupe?.window ?? ''}
              placeholder="24h"
              onChange={(e) => update((f) => void (f.dedupe && (f.dedupe.window = e.target.value)))}
            />
          )}
        </Field>
      </Optional>
      <Optional
        id="opt-batch"
        title="Batch"
        hint="collect events into one run by count or time"
        on={form.batch !== undefined}
        onToggle={(on) =>
          update(
            (f) =>
              void (on
                ? (f.batch = { size: '10', timeout: '', key: '', extra: {} })
                : delete f.batch),
          )
        }
      >
        <div className="form-grid">
          <Field label="Size" error={errorAt('batch.size')} hint="Run when this many are in.">
            {(props) => (
              <input
                {...props}
                inputMode="numeric"
                value={form.batch?.size ?? ''}
                onChange={(e) => update((f) => void (f.batch && (f.batch.size = e.target.value)))}
              />
            )}
          </Field>
          <Field
            label="Timeout"
            error={errorAt('batch.timeout')}
            hint="Or this long after the first, like 30s."
          >
            {(props) => (
              <input
                {...props}
                value={form.batch?.timeout ?? ''}
                onChange={(e) =>
                  update((f) => void (f.batch && (f.batch.timeout = e.target.value)))
                }
              />
            )}
          </Field>
        </div>
        {errorAt('batch') && (
          <p className="field-error" role="alert">
            {errorAt('batch')}
          </p>
        )}
        <CodeField
          label="Separate batches by"
          path="batch.key"
          value={form.batch?.key ?? ''}
          onChange={(v) => update((f) => void (f.batch && (f.batch.key = v)))}
          placeholder="event.data.repository.id"
        />
      </Optional>
      <DebounceOption form={form} update={update} />
      <RateLimitOption form={form} update={update} />
      <Optional
        id="opt-concurrency"
        title="Concurrency"
        hint="how many runs may go at once"
        on={form.concurrency !== undefined}
        onToggle={(on) =>
          update(
            (f) =>
              void (on
                ? (f.concurrency = { key: '', onBusy: '', max: '', extra: {} })
                : delete f.concurrency),
          )
        }
      >
        <div className="form-grid">
          <Field label="Runs at once" error={errorAt('concurrency.allowConcurrent')}>
            {(props) => (
              <select
                {...props}
                value={
                  form.concurrency?.allowConcurrent === undefined
                    ? ''
                    : String(form.concurrency.allowConcurrent)
                }
                onChange={(e) =>
                  update((f) => {
                    if (!f.concurrency) return;
                    if (e.target.value === '') delete f.concurrency.allowConcurrent;
                    else f.concurrency.allowConcurrent = e.target.value === 'true';
                  })
                }
              >
                <option value="">several (default)</option>
                <option value="true">several</option>
                <option value="false">one at a time</option>
              </select>
            )}
          </Field>
          <Field label="When busy" error={errorAt('concurrency.onBusy')}>
            {(props) => (
              <select
                {...props}
                value={form.concurrency?.onBusy ?? ''}
                onChange={(e) =>
                  update((f) => void (f.concurrency && (f.concurrency.onBusy = e.target.value)))
                }
              >
                <option value="">skip the new run (default)</option>
                <option value="skip">skip the new run</option>
                <option value="queue">queue it</option>
              </select>
            )}
          </Field>
          <Field
            label="At most"
            optional
            error={errorAt('concurrency.max')}
            hint="With several at once."
          >
            {(props) => (
              <input
                {...props}
                inputMode="numeric"
                value={form.concurrency?.max ?? ''}
                onChange={(e) =>
                  update((f) => void (f.concurrency && (f.concurrency.max = e.target.value)))
                }
              />
            )}
          </Field>
        </div>
        <CodeField
          label="Per key"
          path="concurrency.key"
          value={form.concurrency?.key ?? ''}
          onChange={(v) => update((f) => void (f.concurrency && (f.concurrency.key = v)))}
          placeholder="one limit for the whole trigger"
        />
      </Optional>
    </Card>
  );
}

export function RetrySection({ form, update }: { form: TriggerForm; update: Update }) {
  const errors = useErrors();
  const errorAt = errors.at;
  const r = form.retry;
  const set = (
    key: 'maxAttempts' | 'initialMs' | 'maxMs' | 'multiplier' | 'jitter',
    value: string,
  ) => update((f) => void (f.retry && (f.retry[key] = value)));
  return (
    <Card title="Retries" id="retry">
      <Optional
        id="opt-retry"
        title="Own retry policy"
        hint="default: 3 attempts, 1 s doubling to 60 s"
        on={r !== undefined}
        onToggle={(on) =>
          update(
            (f) =>
              void (on
                ? (f.retry = {
                    maxAttempts: '',
                    initialMs: '',
                    maxMs: '',
                    multiplier: '',
                    jitter: '',
                    backoffSet: false,
                    extra: {},
                    backoffExtra: {},
                  })
                : delete f.retry),
          )
        }
      >
        <div className="form-grid form-grid-3">
          <Field label="Attempts" error={errorAt('retry.maxAttempts')}>
            {(props) => (
              <input
                {...props}
                inputMode="numeric"
                placeholder="3"
                value={r?.maxAttempts ?? ''}
                onChange={(e) => set('maxAttempts', e.target.value)}
              />
            )}
          </Field>
          <Field label="First delay (ms)" error={errorAt('retry.backoff.initialMs')}>
            {(props) => (
              <input
                {...props}
                inputMode="numeric"
                placeholder="1000"
                value={r?.initialMs ?? ''}
                onChange={(e) => set('initialMs', e.target.value)}
              />
            )}
          </Field>
          <Field label="Longest delay (ms)" error={errorAt('retry.backoff.maxMs')}>
            {(props) => (
              <input
                {...props}
                inputMode="numeric"
                placeholder="60000"
                value={r?.maxMs ?? ''}
                onChange={(e) => set('maxMs', e.target.value)}
              />
            )}
          </Field>
          <Field label="Multiplier" error={errorAt('retry.backoff.multiplier')}>
            {(props) => (
              <input
                {...props}
                inputMode="decimal"
                placeholder="2"
                value={r?.multiplier ?? ''}
                onChange={(e) => set('multiplier', e.target.value)}
              />
            )}
          </Field>
          <Field label="Jitter (0 to 1)" error={errorAt('retry.backoff.jitter')}>
            {(props) => (
              <input
                {...props}
                inputMode="decimal"
                placeholder="0.2"
                value={r?.jitter ?? ''}
                onChange={(e) => set('jitter', e.target.value)}
              />
            )}
          </Field>
        </div>
      </Optional>
    </Card>
  );
}
