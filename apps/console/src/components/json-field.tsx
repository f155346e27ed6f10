import type { ReactNode } from 'react';
import { Field } from './forms';

/** A labelled monospace text area for JSON, with its problem (from `parseJsonText`) under it. */
export function JsonField({
  label,
  hint,
  value,
  onChange,
  error,
  rows = 8,
}: {
  label: ReactNode;
  hint?: ReactNode;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  rows?: number;
}) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(props) => (
        <textarea
          {...props}
          className="mono"
          rows={rows}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          spellCheck={false}
        />
      )}
    </Field>
  );
}
