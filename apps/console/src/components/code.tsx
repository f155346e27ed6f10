import { CopyButton } from './buttons';

/** Preformatted text (JSON, YAML, a command) with a copy button. */
export function CodeBlock({
  code,
  label,
  maxHeight,
  wrap = false,
}: {
  code: string;
  label: string;
  maxHeight?: number;
  /** Wrap long lines instead of scrolling sideways (definitions, messages). */
  wrap?: boolean;
}) {
  return (
    <div className="code-block">
      <div className="code-block-copy">
        <CopyButton text={code} label={`Copy ${label}`} />
      </div>
      <pre
        aria-label={label}
        tabIndex={0}
        className={wrap ? 'wrap-lines' : undefined}
        style={maxHeight ? { maxHeight } : undefined}
      >
        <code>{code}</code>
      </pre>
    </div>
  );
}
