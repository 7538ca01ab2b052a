/** Appends to one session in one group would race each other; a session is in one group at a time. */
interface Keyed {
  code: string;
}

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /**
   * Groups start at least this many ms apart, so that under a steady stream of writes each
   * group gathers several; when writes are rare, one goes out at once.
   */
  spacingMs?: number;
  /**
   * Groups being written at once. A group's statement may run while the one before waits for its
   * sync to disk, so the wait for the disk is not added to every group's latency.
   */
  maxInFlight?: number;
  maxGroup?: number;
}

/**
 * Group commit: whatever arrives while groups are being written goes out together in the next
 * one, so the cost of a statement and a sync to disk is shared by many writes.
 *
 * `write` answers for each item of a group: null when it was written, or the error that item
 * alone failed with. If `write` throws, the group is tried again one item at a time, so one bad
 * item fails alone.
 */
export class GroupCommit<T extends Keyed> {
  private waiting: Waiting<T>[] = [];
  /** Sessions with a write in flight: their next write waits for the next group. */
  private busy = new Set<string>();
  private inFlight = 0;
  private lastStart = -Infinity;
  private timer: NodeJS.Timeout | null = null;
  private scheduled = false;
  private readonly spacingMs: number;
  private readonly maxInFlight: number;
  private readonly maxGroup: number;

  constructor(
    private readonly write: (items: T[]) => Promise<(Error | null)[]>,
    { spacingMs = 0, maxInFlight = 1, maxGroup = 256 }: GroupCommitOptions = {},
  ) {
    this.spacingMs = spacingMs;
    this.maxInFlight = maxInFlight;
    this.maxGroup = maxGroup;
  }

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Starts the next group when there is something to write, a free slot, and its time has come. */
  private schedule(): void {
    if (this.scheduled || this.timer || this.waiting.length === 0 || this.inFlight >= this.maxInFlight) return;
    const wait = this.lastStart + this.spacingMs - performance.now();
    if (wait > 1) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.start();
      }, wait);
    } else {
      // After this turn of the event loop, which gathers what arrives in the same turn.
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.start();
      });
    }
  }

  private start(): void {
    if (this.inFlight >= this.maxInFlight) return;
    const group: Waiting<T>[] = [];
    const later: Waiting<T>[] = [];
    for (const w of this.waiting) {
      if (group.length < this.maxGroup && !this.busy.has(w.item.code)) {
        this.busy.add(w.item.code);
        group.push(w);
      } else {
        later.push(w);
      }
    }
    this.waiting = later;
    if (group.length === 0) return;
    this.lastStart = performance.now();
    this.inFlight++;
    void this.commit(group).finally(() => {
      this.inFlight--;
      for (const w of group) this.busy.delete(w.item.code);
      this.schedule();
    });
    this.schedule();
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
