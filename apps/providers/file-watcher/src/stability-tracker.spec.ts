import type { FileVersion } from './file-state';
import { StabilityTracker } from './stability-tracker';

describe('StabilityTracker', () => {
  const v = (size: number, mtimeMs = 1000): FileVersion => ({ size, mtimeMs });

  it('releases a file only once it kept its version for stableForMs', async () => {
    const tracker = new StabilityTracker(1000);
    const disk = new Map([['a', v(10)]]);
    tracker.observe('a', v(10), 0);
    expect(await tracker.takeStable(999, async (p) => disk.get(p))).toEqual([]);
    expect(await tracker.takeStable(1000, async (p) => disk.get(p))).toEqual([
      { path: 'a', version: v(10) },
    ]);
    expect(tracker.size).toBe(0);
  });

  it('restarts the wait while the file is still growing', async () => {
    const tracker = new StabilityTracker(1000);
    const disk = new Map([['a', v(20, 1500)]]);
    tracker.observe('a', v(10), 0);
    expect(await tracker.takeStable(1000, async (p) => disk.get(p))).toEqual([]);
    expect(await tracker.takeStable(1999, async (p) => disk.get(p))).toEqual([]);
    expect(await tracker.takeStable(2000, async (p) => disk.get(p))).toEqual([
      { path: 'a', version: v(20, 1500) },
    ]);
  });

  it('keeps the wait when the same version is observed again, restarts it for a new one', async () => {
    const tracker = new StabilityTracker(1000);
    tracker.observe('a', v(10), 0);
    tracker.observe('a', v(10), 900);
    expect(await tracker.takeStable(1000, async () => v(10))).toHaveLength(1);
    tracker.observe('b', v(1), 0);
    tracker.observe('b', v(2), 900);
    expect(await tracker.takeStable(1000, async () => v(2))).toEqual([]);
  });

  it('drops files that vanished or were forgotten', async () => {
    const tracker = new StabilityTracker(0);
    tracker.observe('gone', v(1), 0);
    tracker.observe('dir/a', v(1), 0);
    tracker.observe('dir/b', v(1), 0);
    tracker.observe('other', v(1), 0);
    expect(tracker.paths().sort()).toEqual(['dir/a', 'dir/b', 'gone', 'other']);
    tracker.forget('dir/a');
    tracker.forget('dir/b');
    expect(await tracker.takeStable(0, async (p) => (p === 'gone' ? undefined : v(1)))).toEqual([
      { path: 'other', version: v(1) },
    ]);
    expect(tracker.size).toBe(0);
  });
});
