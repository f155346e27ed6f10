import { createContext, type ReactNode, useContext, useId } from 'react';
import { Field } from '../components/forms';
import { issuesAt, issuesUnder, type PathIssue } from '../logic/issue-path';
import { CodeEditor, type EditorLanguage } from './CodeEditor';

const IssuesContext = createContext<readonly PathIssue[]>([]);

export function IssuesProvider({
  issues,
  children,
}: {
  issues: readonly PathIssue[];
  children: ReactNode;
}) {
  return <IssuesContext.Provider value={issues}>{children}</IssuesContext.Provider>;
}

export function useIssuesAt(path: string): PathIssue[] {
  return issuesAt(useContext(IssuesContext), path);
}

export interface Errors {
  /** The problems at `path`, for a plain control's error line. */
  at(path: string): string | undefined;
  /** Problems inside `path` (not at it), named relative to it: `schedule: must be…`. */
  nested(path: string): PathIssue[];
}

/** The draft's problems by path, read once per component so lookups may sit anywhere in its JSX. */
export function useErrors(): Errors {
  const issues = useContext(IssuesContext);
  return {
    at(path) {
      const found = issuesAt(issues, path);
      return found.length > 0 ? found.map((i) => i.message).join('; ') : undefined;
    },
    nested(path) {
      return issuesUnder(issues, path)
        .filter((issue) => issue.path !== path)
        .map((issue) => ({
          path,
          message: `${issue.path.slice(path.length).replace(/^\./, '')}: ${issue.message}`,
        }));
    },
  };
}

/**
 * A labelled code editor (CEL, YAML) whose problems are marked in the text where the API says
 * they are, and listed under it with their line and column.
 */
export function CodeField({
  label,
  path,
  value,
  onChange,
  hint,
  language = 'cel',
  lines = 1,
  placeholder,
  extraProblems = [],
}: {
  label: ReactNode;
  path: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  language?: EditorLanguage;
  lines?: number;
  placeholder?: string;
  extraProblems?: PathIssue[];
}) {
  const id = useId();
  const issues = [...useIssuesAt(path), ...extraProblems];
  const errorId = issues.length > 0 ? `${id}-error` : undefined;
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className={`field ${issues.length > 0 ? 'field-invalid' : ''}`} data-path={path}>
      <span className="field-label" id={`${id}-label`}>
        {label}
      </span>
      <CodeEditor
        value={value}
        onChange={onChange}
        language={language}
        lines={lines}
        placeholder={placeholder}
        labelledBy={`${id}-label`}
        describedBy={[errorId, hintId].filter(Boolean).join(' ') || undefined}
        testId={`editor-${path}`}
        problems={issues.flatMap((issue) =>
          issue.position
            ? [
                {
                  from: issue.position.offset,
                  to: issue.position.offset + 1,
                  message: issue.message,
                },
              ]
            : [],
        )}
      />
      {issues.length > 0 && (
        <ul id={errorId} className="field-error" role="alert" data-testid={`error-${path}`}>
          {issues.map((issue) => (
            <li key={issue.message}>{issue.message}</li>
          ))}
        </ul>
      )}
      {hint && issues.length === 0 && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}

/**
 * A list edited as text, one item per line. `undefined` (the key left out) when emptied, so an
 * untouched list does not turn into an empty one the schema refuses.
 */
export function LinesField({
  label,
  value,
  onChange,
  error,
  hint,
  placeholder,
}: {
  label: ReactNode;
  value: string[] | undefined;
  onChange: (value: string[] | undefined) => void;
  error?: string;
  hint?: ReactNode;
  placeholder?: string;
}) {
  return (
    <Field label={label} optional error={error} hint={hint}>
      {(props) => (
        <textarea
          {...props}
          className="mono"
          rows={1}
          spellCheck={false}
          placeholder={placeholder}
          value={(value ?? []).join('\n')}
          onChange={(e) => {
            const lines = e.target.value.split('\n');
            onChange(lines.length === 1 && lines[0] === '' ? undefined : lines);
          }}
        />
      )}
    </Field>
  );
}
