import type { ReactNode } from 'react';
import { Switch } from '../components/forms';

/** An optional part of a trigger: off leaves it out of the definition entirely. */
export function Optional({
  id,
  title,
  on,
  onToggle,
  hint,
  children,
}: {
  id: string;
  title: string;
  on: boolean;
  onToggle: (on: boolean) => void;
  hint: string;
  children: ReactNode;
}) {
  return (
    <div className={`optional ${on ? 'optional-on' : ''}`}>
      <div className="optional-head">
        <Switch checked={on} onChange={onToggle} label={title} id={id} />
        <label htmlFor={id}>
          <strong>{title}</strong>
          <span className="muted small"> {hint}</span>
        </label>
      </div>
      {on && <div className="optional-body">{children}</div>}
    </div>
  );
}
