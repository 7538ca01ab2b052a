import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeParts, summarizeAllocations, summarizeProfile } from '../profile-top.js';

/**
 * Real profiles of a small program laid out like the server's sources: a "store" that burns CPU
 * and allocates below a caller outside it, so both its own frames and everything below it count.
 */
let dir: string;
const profileOf = (flag: '--cpu-prof' | '--heap-prof', ext: string, ...more: string[]) => {
  const out = fs.mkdtempSync(path.join(dir, 'out-'));
  execFileSync(process.execPath, [flag, `${flag}-dir=${out}`, ...more, path.join(dir, 'server/src/main.js')], { stdio: 'ignore' });
  const file = fs.readdirSync(out).find((f) => f.endsWith(ext));
  if (!file) throw new Error(`no ${ext} written`);
  return path.join(out, file);
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kollegium-profile-top-'));
  fs.mkdirSync(path.join(dir, 'server/src/storage'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'server/src/storage/store.js'),
    `// Busy for \`ms\`, and keeps what it made (a heap profile written at exit shows live objects).
const kept = [];
exports.appendLots = function appendLots(ms) {
  let x = 0;
  for (const end = Date.now() + ms; Date.now() < end; ) for (let i = 0; i < 1e4; i++) x = (x * 31 + i) % 1000003;
  for (let i = 0; i < 20000; i++) kept.push({ x, text: 'x'.repeat(64) + i });
  return kept.length;
};`,
  );
  fs.writeFileSync(
    path.join(dir, 'server/src/main.js'),
    `const { appendLots } = require('./storage/store.js');
function handle() { return appendLots(400); }
let n = 0;
for (let i = 0; i < 4; i++) n += handle();
if (n === 0) throw new Error('nothing done');`,
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('profile summaries', () => {
  it('finds where a CPU profile spent its time, by function, by file and below the store', () => {
    const s = summarizeProfile(profileOf('--cpu-prof', '.cpuprofile'));
    expect(s.totalMs).toBeGreaterThan(1000);
    expect(s.topFunctions[0]).toMatchObject({ fn: 'appendLots', where: expect.stringMatching(/^server\/src\/storage\/store\.js:3$/) });
    const store = s.inclusive.find((a) => a.what.startsWith('store'))!;
    expect(store.pct).toBeGreaterThan(50);
    expect(store.ms).toBeGreaterThanOrEqual(s.topFunctions[0]!.ms);
    expect(s.byArea.find((a) => a.area === 'server/src/storage/store.js')?.pct).toBeGreaterThan(20);
    const shares = s.byArea.reduce((n, a) => n + a.pct, 0);
    expect(shares).toBeGreaterThan(95);
    expect(shares).toBeLessThanOrEqual(100.5);
  });

  it('finds where a heap profile allocated its bytes, in the same shape', () => {
    // A sample every 4 KiB instead of 512 KiB: enough samples for the shares to hold from run to run.
    const s = summarizeAllocations(profileOf('--heap-prof', '.heapprofile', '--heap-prof-interval=4096'));
    expect(s.bytes).toBeGreaterThan(0);
    // Its own objects, and the strings String#repeat made for it, which count below it.
    const own = s.topFunctions.find((f) => f.fn === 'appendLots');
    expect(own?.pct).toBeGreaterThan(20);
    const store = s.inclusive.find((a) => a.what.startsWith('store'))!;
    expect(store.pct).toBeGreaterThan(90);
    expect(store.bytes).toBeGreaterThan(own!.bytes);
    const [areas, inclusive, functions] = describeParts(s, { areas: 2, top: 1 });
    const [first, second] = s.byArea;
    expect(areas).toBe(`${first!.area} ${first!.pct}%, ${second!.area} ${second!.pct}%`);
    expect(inclusive).toMatch(/^inclusive: store \(server\/src\/storage, PGlite\) \d+(\.\d)?%/);
    expect(functions).toMatch(/^top: \S+ \d+(\.\d)?%$/);
  });
});
