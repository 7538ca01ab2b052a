import { afterEach, describe, expect, it, vi } from 'vitest';
import { GroupCommit } from '../src/storage/group-commit.js';

interface Item {
  code: string;
  n: number;
}

/** A writer that records its groups and lets the test decide when each group is done. */
function recorder(fail: (item: Item) => Error | null = () => null) {
  const groups: Item[][] = [];
  const pending: (() => void)[] = [];
  const write = async (items: Item[]) => {
    groups.push(items);
    await new Promise<void>((resolve) => pending.push(resolve));
    if (items.length > 1 && items.some((item) => fail(item)?.message === 'throws')) throw new Error('the statement failed');
    return items.map(fail);
  };
  /** Finishes every group being written and lets what follows start. */
  const finish = async () => {
    for (const done of pending.splice(0)) done();
    // A few turns of 1 ms: the answers settle through several promises before the next group starts.
    for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(1);
  };
  return { groups, write, finish };
}

const item = (code: string, n: number): Item => ({ code, n });

describe('group commit', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes what arrives together as one group, and what arrives meanwhile as the next', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate', 'performance'] });
    const { groups, write, finish } = recorder();
    const commit = new GroupCommit(write);
    const first = [commit.add(item('A', 1)), commit.add(item('B', 1)), commit.add(item('C', 1))];
    await vi.advanceTimersByTimeAsync(1);
    expect(groups).toEqual([[item('A', 1), item('B', 1), item('C', 1)]]);
    // While the first group is being written, more arrive: they wait, then go out together.
    const second = [commit.add(item('A', 2)), commit.add(item('D', 1))];
    await vi.advanceTimersByTimeAsync(1);
    expect(groups).toHaveLength(1);
    await finish();
    await Promise.all(first);
    expect(groups[1]).toEqual([item('A', 2), item('D', 1)]);
    await finish();
    await Promise.all(second);
  });

  it('keeps one session in one group at a time, in the order its writes came', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate', 'performance'] });
    const { groups, write, finish } = recorder();
    const commit = new GroupCommit(write, { maxInFlight: 3 });
    const all = [commit.add(item('A', 1)), commit.add(item('A', 2)), commit.add(item('B', 1)), commit.add(item('A', 3))];
    await vi.advanceTimersByTimeAsync(1);
    // Slots are free, but A's next write waits until its first is done.
    expect(groups).toEqual([[item('A', 1), item('B', 1)]]);
    await finish();
    expect(groups[1]).toEqual([item('A', 2)]);
    await finish();
    expect(groups[2]).toEqual([item('A', 3)]);
    await finish();
    await Promise.all(all);
  });

  it('starts groups at least `spacingMs` apart, and the next while one is still being written', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate', 'performance'] });
    const { groups, write, finish } = recorder();
    const commit = new GroupCommit(write, { spacingMs: 10, maxInFlight: 2 });
    void commit.add(item('A', 1));
    await vi.advanceTimersByTimeAsync(1);
    expect(groups).toHaveLength(1);
    void commit.add(item('B', 1));
    void commit.add(item('C', 1));
    await vi.advanceTimersByTimeAsync(7);
    expect(groups).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(4);
    // The first group is still being written: the second goes out beside it, with both waiting.
    expect(groups).toEqual([[item('A', 1)], [item('B', 1), item('C', 1)]]);
    void commit.add(item('D', 1));
    await vi.advanceTimersByTimeAsync(20);
    // Two in flight already: D waits for a slot.
    expect(groups).toHaveLength(2);
    await finish();
    expect(groups[2]).toEqual([item('D', 1)]);
    await finish();
  });

  it('answers each write on its own: a refused one is refused alone, and a failing group is retried one by one', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate', 'performance'] });
    const refusal = new Error('refused');
    const { groups, write, finish } = recorder((i) => (i.code === 'B' ? refusal : i.code === 'X' ? new Error('throws') : null));
    const commit = new GroupCommit(write);
    const results = Promise.allSettled([commit.add(item('A', 1)), commit.add(item('B', 1)), commit.add(item('X', 1)), commit.add(item('C', 1))]);
    for (let i = 0; i < 6; i++) await finish();
    const settled = await results;
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(settled[1]).toMatchObject({ reason: refusal });
    // The whole group once, then each of its items alone.
    expect(groups.map((g) => g.map((i) => i.code).join(''))).toEqual(['ABXC', 'A', 'B', 'X', 'C']);
  });
});
