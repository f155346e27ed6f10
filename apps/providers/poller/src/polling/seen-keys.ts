/**
 * The keys of the items most recently emitted, oldest first, at most `capacity`: an item polled
 * again (an overlapping page, a cursor that did not move) is recognised and not emitted twice.
 */
export class SeenKeys {
  private readonly keys: Set<string>;

  constructor(
    readonly capacity: number,
    keys: Iterable<string> = [],
  ) {
    this.keys = new Set();
    for (const key of keys) this.add(key);
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Remembers a key as the newest; the oldest is forgotten beyond capacity. */
  add(key: string): void {
    this.keys.delete(key);
    this.keys.add(key);
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.values().next().value as string;
      this.keys.delete(oldest);
    }
  }

  toArray(): string[] {
    return [...this.keys];
  }
}
