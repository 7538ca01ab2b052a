/** Small numeric helpers shared by the generator, the orchestrator and the chart. */

export interface Summary {
  count: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
}

/** Nearest-rank percentiles of a sample (milliseconds in, milliseconds out, 0.01 ms resolution). */
export function summarize(samples: ArrayLike<number>): Summary {
  const n = samples.length;
  if (n === 0) return { count: 0, mean: null, p50: null, p90: null, p95: null, p99: null, p999: null, max: null };
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  // The rank is ceil(p% of n); the epsilon keeps float noise (99.9 / 100 * 1000 = 999.0000000000001) from moving it up one.
  const at = (p: number) => round(sorted[Math.min(n - 1, Math.max(0, Math.ceil((p * n) / 100 - 1e-9) - 1))]!);
  return { count: n, mean: round(sum / n), p50: at(50), p90: at(90), p95: at(95), p99: at(99), p999: at(99.9), max: round(sorted[n - 1]!) };
}

export const round = (x: number, digits = 2) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** Appends to a growable Float64Array (millions of samples without boxing numbers). */
export class Samples {
  private data = new Float64Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

export function fmtMs(x: number | null | undefined): string {
  if (x === null || x === undefined) return '—';
  if (x >= 10_000) return `${(x / 1000).toFixed(1)} s`;
  if (x >= 100) return `${Math.round(x)} ms`;
  return `${x.toFixed(1)} ms`;
}

export function fmtBytes(x: number | null | undefined): string {
  if (x === null || x === undefined) return '—';
  const abs = Math.abs(x);
  if (abs >= 1024 ** 3) return `${(x / 1024 ** 3).toFixed(2)} GiB`;
  if (abs >= 1024 ** 2) return `${(x / 1024 ** 2).toFixed(1)} MiB`;
  if (abs >= 1024) return `${(x / 1024).toFixed(1)} KiB`;
  return `${Math.round(x)} B`;
}

/** A server's CPU by thread: the event loop's, and the embedded database thread's (none for the bare relay). */
export function fmtThreads(usage: { eventLoopAvgPct?: number | null; databaseThreadAvgPct?: number | null } | undefined): string {
  if (usage?.eventLoopAvgPct == null) return '—';
  return `${usage.eventLoopAvgPct}% / ${usage.databaseThreadAvgPct ? `${usage.databaseThreadAvgPct}%` : '—'}`;
}

export function fmtRatio(ours: number | null | undefined, bare: number | null | undefined): string {
  if (ours == null || bare == null || bare === 0) return '—';
  return `${(ours / bare).toFixed(2)}×`;
}

/** A run's RSS readings in order: empty, half the sessions connected, all connected, after the steady load. */
export function fmtRssPoints(memory: { baseline: { rss: number }; halfway?: { memory: { rss: number } } | null; idle: { rss: number }; active?: { rss: number } | null }): string {
  return [memory.baseline.rss, memory.halfway?.memory.rss, memory.idle.rss, memory.active?.rss].map(fmtBytes).join(' / ');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
