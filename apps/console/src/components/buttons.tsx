import { type ButtonHTMLAttributes, forwardRef, type ReactNode, useState } from 'react';
import { Link } from '../app/router';
import { Icon, type IconName } from './icons';

type Variant = 'primary' | 'secondary' | 'ghost' | 'danger';

export const Button = forwardRef<
  HTMLButtonElement,
  ButtonHTMLAttributes<HTMLButtonElement> & {
    variant?: Variant;
    icon?: IconName;
    small?: boolean;
    busy?: boolean;
  }
>(function Button(
  { variant = 'secondary', icon, small, busy, className, children, disabled, ...rest },
  ref,
) {
  return (
    <button
      ref={ref}
      type="button"
      className={`btn btn-${variant}${small ? ' btn-sm' : ''} ${className ?? ''}`}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {busy ? (
        <span className="spinner" aria-hidden="true" />
      ) : (
        icon && <Icon name={icon} size={small ? 14 : 16} />
      )}
      {children}
    </button>
  );
});

export function LinkButton({
  to,
  variant = 'secondary',
  icon,
  small,
  children,
}: {
  to: string;
  variant?: Variant;
  icon?: IconName;
  small?: boolean;
  children: ReactNode;
}) {
  return (
    <Link to={to} className={`btn btn-${variant}${small ? ' btn-sm' : ''}`}>
      {icon && <Icon name={icon} size={small ? 14 : 16} />}
      {children}
    </Link>
  );
}

/** Copies `text` and says so for a moment; the label names what is copied for screen readers. */
export function CopyButton({
  text,
  label = 'Copy',
  small = true,
}: {
  text: string;
  label?: string;
  small?: boolean;
}) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Without clipboard permission (an http origin other than localhost): select-and-copy fallback.
      const area = document.createElement('textarea');
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <Button
      small={small}
      variant="ghost"
      icon={copied ? 'check' : 'copy'}
      onClick={() => void copy()}
      aria-label={label}
    >
      {copied ? 'Copied' : small ? undefined : label}
    </Button>
  );
}
