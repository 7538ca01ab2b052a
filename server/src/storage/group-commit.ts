/** Appends to one session in one group would race each other; a group holds one per session. */
interface Keyed {
  code: string;
}

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: writes go out in groups, one group at a time. Whatever arrives while a group is
 * being written waits and goes out together in the next, so under load the cost of a statement
 * and a sync is shared by many writes, and when idle a write goes out at once (after the current
 * turn of the event loop, which gathers what arrived in the same turn).
 *
 * `write` answers for each item of a group: null when it was written, or the error that item
 * alone failed with. If `write` throws, the group is tried again one item at a time, so one bad
 * item fails alone.
 */
export class GroupCommit<T extends Keyed> {
  private waiting: Waiting<T>[] = [];
  private running = false;

  private lastStart = -Infinity;

  /**
   * `spacing`: groups start at least this many ms apart, so that under a steady stream of writes
   * each group gathers several (the wait is only as long as needed: when writes are rare, one goes
   * out at once).
   */
  constructor(
    private readonly write: (items: T[]) => Promise<(Error | null)[]>,
    private readonly spacing = 0,
    private readonly maxGroup = 256,
  ) {}

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        const wait = this.lastStart + this.spacing - performance.now();
        if (wait > 1) setTimeout(() => void this.drain(), wait);
        else setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length) {
      const wait = this.lastStart + this.spacing - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      this.lastStart = performance.now();
      const group: Waiting<T>[] = [];
      const later: Waiting<T>[] = [];
      const codes = new Set<string>();
      for (const w of this.waiting) {
        if (group.length < this.maxGroup && !codes.has(w.item.code)) {
          codes.add(w.item.code);
          group.push(w);
        } else {
          later.push(w);
        }
      }
      this.waiting = later;
      await this.commit(group);
    }
    this.running = false;
  }

  private async commit(group: Waiting<T>[]): Promise<void> {
    let results: (Error | null)[];
    try {
      results = await this.write(group.map((w) => w.item));
    } catch (error) {
      if (group.length === 1) return group[0]!.reject(error);
      for (const w of group) await this.commit([w]);
      return;
    }
    group.forEach((w, i) => {
      const error = results[i];
      if (error) w.reject(error);
      else w.resolve();
    });
  }
}
