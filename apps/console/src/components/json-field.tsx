import { type ReactNode, useState } from 'react';
import { parseJsonText } from '../logic/json-text';
import { Field } from './forms';

/** JSON a person types: the text, and the value it parses to or why it does not. */
export interface JsonText {
  text: string;
  setText: (text: string) => void;
  value?: unknown;
  error?: string;
}

/** The state of a `JsonField`; with `allowEmpty`, an empty text is no value rather than an error. */
export function useJsonText(initial: string, allowEmpty = false): JsonText {
  const [text, setText] = useState(initial);
  return { text, setText, ...parseJsonText(text, allowEmpty) };
}

/** A labelled monospace text area for JSON, with its problem under it. */
export function JsonField({
  label,
  hint,
  json,
  rows = 8,
}: {
  label: ReactNode;
  hint?: ReactNode;
  json: JsonText;
  rows?: number;
}) {
  return (
    <Field label={label} error={json.error} hint={hint}>
      {(props) => (
        <textarea
          {...props}
          className="mono"
          rows={rows}
          value={json.text}
          onChange={(e) => json.setText(e.target.value)}
          spellCheck={false}
        />
      )}
    </Field>
  );
}
