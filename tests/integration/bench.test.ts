import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { LoadResult } from '../bench/generator.js';
import type { Results } from '../bench/run.js';

/**
 * `npm run bench` itself, in its quick form: real servers, a real load generator, real sockets.
 * What it reports must add up, and what a server fails to deliver must show as lost. Its figures
 * are not judged here; that is the benchmark's job, on a quiet machine. It runs the builds
 * `npm test` makes (client/dist, and server/dist from the test setup).
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kollegium-bench-test-'));
const running = new Set<ChildProcess>();
afterAll(() => {
  // A run cut short by a time-out: stop it with everything it started (its own process group).
  for (const child of running) if (child.pid) process.kill(-child.pid, 'SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the benchmark to its end and reads what it wrote. */
async function bench(name: string, args: string[], env: Record<string, string> = {}): Promise<Results> {
  const out = path.join(dir, `${name}.json`);
  const child = spawn('npx', ['tsx', 'tests/bench/run.ts', '--quick', '--no-build', '--no-wait-quiet', `--out=${out}`, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  running.delete(child);
  expect(code, output.slice(-3000)).toBe(0);
  expect(fs.readFileSync(out.replace(/\.json$/, '.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  return JSON.parse(fs.readFileSync(out, 'utf8')) as Results;
}

/** Every contribution sent was acknowledged and reached every other screen of its session, once. */
function expectWhole(r: LoadResult, participants: number) {
  expect(r.sent).toBe(Math.round((r.targetRate * r.durationMs) / 1000));
  expect(r.accepted).toBe(r.sent);
  expect(r.ack.count).toBe(r.sent);
  // Everyone but the sender: the other participants, the facilitator and the board.
  expect(r.expectedReceipts).toBe(r.sent * (participants + 1));
  // One latency sample per receipt that came in time.
  expect(r.fanout.count).toBe(r.expectedReceipts);
  expect(r.lost).toBe(0);
}

describe('npm run bench', () => {
  it('measures both servers, the restart and the client, and the figures add up', { timeout: 240_000 }, async () => {
    const results = await bench('quick', ['--skip=ramp']);
    expect(results.errors).toEqual([]);
    const { sessions, participants } = results.options;
    for (const kind of [results.ours!, results.bare!]) {
      for (const scenario of [kind.steady.result, kind.burst!.result]) {
        expect(scenario.sessions).toBe(sessions);
        expect(scenario.connections).toBe(sessions * (participants + 2));
        expectWhole(scenario, participants);
        expect(scenario.fanout.p99).toBeGreaterThan(0);
      }
    }
    expect(results.ours!.memory.perIdleConnection).toBeGreaterThan(0);
    // Our server's CPU by thread: its event loop, and its database thread (the bare relay has none).
    const ours = results.ours!.steady.server;
    expect(ours.eventLoopAvgPct).toBeGreaterThan(0);
    expect(ours.databaseThreadAvgPct).toBeGreaterThan(0);
    expect(ours.cpuAvgPct).toBeGreaterThanOrEqual(ours.databaseThreadAvgPct!);
    expect(results.bare!.steady.server.databaseThreadAvgPct).toBeNull();
    const clients = sessions * (participants + 2);
    const restart = results.restart!;
    expect(restart).toMatchObject({ clients, resynced: clients, verdict: 'durable', graceful: { resynced: clients, verdict: 'durable' } });
    // Every client tried again and caught up after it; connected comes before caught up.
    expect(restart.settle.count).toBe(clients);
    expect(restart.reconnect99Ms!).toBeLessThanOrEqual(restart.resync99Ms!);
    const client = results.client!;
    expect('jsGzip' in client && client.jsGzip).toBeGreaterThan(10_000);
    expect('separation' in client && client.separation.ok).toBe(true);
    const judged = Object.fromEntries(results.targets.map((t) => [t.name, t.pass]));
    expect(judged).toMatchObject({ 'steady deliveries lost': true, 'burst deliveries lost': true, 'participant entry JS, gzipped': true });
  });

  it('counts as lost what a server acknowledges but never delivers', { timeout: 120_000 }, async () => {
    const results = await bench('dropping', ['--skip=ours,burst,ramp,restart,client'], { BENCH_BARE_DROP_EVERY: '10' });
    const steady = results.bare!.steady.result;
    const recipients = results.options.participants + 1;
    expect(steady.accepted).toBe(steady.sent);
    // The relay counts every contribution, the set-up's too; any run of sent (a multiple of 10)
    // in a row holds exactly sent / 10 of every tenth, wherever the count stood before.
    expect(steady.sent % 10).toBe(0);
    expect(steady.lost).toBe((steady.sent / 10) * recipients);
    expect(steady.fanout.count).toBe(steady.expectedReceipts - steady.lost);
  });
});
