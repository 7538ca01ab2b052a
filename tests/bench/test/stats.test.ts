import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fmtBytes, fmtMs, fmtRatio, pool, Samples, sleep, summarize } from '../stats.js';

describe('summarize', () => {
  it('gives nearest-rank percentiles: the smallest sample with at least p% at or below it', () => {
    const s = summarize(Array.from({ length: 1000 }, (_, i) => 1000 - i)); // 1000 … 1, unsorted
    expect(s).toEqual({ count: 1000, mean: 500.5, p50: 500, p90: 900, p95: 950, p99: 990, p999: 999, max: 1000 });
  });

  it('holds the definition for any sample', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 2000, size: 'max' }), fc.constantFrom(50, 90, 95, 99, 99.9), (xs, p) => {
        const value = summarize(xs)[p === 99.9 ? 'p999' : (`p${p}` as 'p50')]!;
        expect(xs).toContain(value);
        // At least p% of the samples at or below it, fewer than p% below it.
        const share = (n: number) => (n / xs.length) * 100;
        expect(share(xs.filter((x) => x <= value).length)).toBeGreaterThanOrEqual(p - 1e-9);
        expect(share(xs.filter((x) => x < value).length)).toBeLessThan(p);
      }),
    );
  });

  it('has no figures for no samples', () => {
    expect(summarize([])).toMatchObject({ count: 0, p99: null, max: null });
  });
});

describe('Samples', () => {
  it('keeps every value in order past its initial size', () => {
    const samples = new Samples();
    for (let i = 0; i < 5000; i++) samples.push(i * 0.5);
    expect(samples.length).toBe(5000);
    expect(samples.view()[0]).toBe(0);
    expect(samples.view()[4999]).toBe(2499.5);
    expect(summarize(samples.view()).max).toBe(2499.5);
  });
});

describe('pool', () => {
  it('runs every item once with at most `limit` in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    await pool([...Array(20).keys()], 3, async (item, index) => {
      expect(item).toBe(index);
      inFlight++;
      most = Math.max(most, inFlight);
      await sleep(item % 4);
      seen.push(item);
      inFlight--;
    });
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(most).toBe(3);
  });
});

describe('formatting', () => {
  it('prints times, sizes and ratios as the report shows them', () => {
    expect([fmtMs(3.14159), fmtMs(162.4), fmtMs(12_340), fmtMs(null)]).toEqual(['3.1 ms', '162 ms', '12.3 s', '—']);
    expect([fmtBytes(512), fmtBytes(15.9 * 1024), fmtBytes(348 * 1024 ** 2), fmtBytes(-2048)]).toEqual(['512 B', '15.9 KiB', '348.0 MiB', '-2.0 KiB']);
    expect([fmtRatio(162, 58), fmtRatio(1, 0), fmtRatio(null, 1)]).toEqual(['2.79×', '—', '—']);
  });
});
