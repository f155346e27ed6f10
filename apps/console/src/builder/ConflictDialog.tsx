import { Button } from '../components/buttons';
import { Dialog } from '../components/dialog';
import { Banner } from '../components/feedback';
import { diffLines, foldUnchanged } from '../logic/line-diff';
import { counted } from '../logic/format';
import { toComparableYaml } from '../logic/yaml';
import type { Conflict } from './BuilderScreen';

/**
 * Someone saved the trigger after it was opened here: nothing was saved. Shows what differs
 * between their version and this draft, and lets the person choose; nothing is overwritten
 * without that choice.
 */
export function ConflictDialog({
  conflict,
  onClose,
  onTakeTheirs,
  onOverwrite,
}: {
  conflict: Conflict;
  onClose: () => void;
  onTakeTheirs: () => void;
  onOverwrite: () => void;
}) {
  const {
    version: _version,
    updatedAt: _updatedAt,
    ...theirs
  } = conflict.theirs as unknown as Record<string, unknown>;
  const lines = foldUnchanged(diffLines(toComparableYaml(theirs), toComparableYaml(conflict.mine)));
  return (
    <Dialog
      open
      wide
      title="Someone else changed this trigger"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Keep editing</Button>
          <Button onClick={onTakeTheirs}>Discard mine, load theirs</Button>
          <Button variant="danger" onClick={onOverwrite}>
            Save mine over theirs
          </Button>
        </>
      }
    >
      <Banner
        tone="warn"
        title={`Version ${conflict.theirs.version} was saved while you were editing`}
      >
        <p>
          Your changes were not saved. Below: what your draft changes compared with their version.
        </p>
      </Banner>
      <div
        className="diff"
        role="table"
        aria-label="Their version compared with your draft"
        data-testid="conflict-diff"
      >
        {lines.map((line, index) =>
          line.kind === 'folded' ? (
            <div key={index} className="diff-fold" role="row">
              <span role="cell">{counted(line.count, 'unchanged line')}</span>
            </div>
          ) : (
            <div key={index} className={`diff-line diff-${line.kind}`} role="row">
              <span
                className="diff-sign"
                role="cell"
                aria-label={
                  line.kind === 'same' ? 'unchanged' : line.kind === 'added' ? 'yours' : 'theirs'
                }
              >
                {line.kind === 'added' ? '+' : line.kind === 'removed' ? '−' : ' '}
              </span>
              <code role="cell">{line.text}</code>
            </div>
          ),
        )}
      </div>
    </Dialog>
  );
}
