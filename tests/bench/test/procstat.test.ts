import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DATABASE_THREAD, parseStat, readProc, Sampler } from '../procstat.js';

describe('procstat', () => {
  it('reads a stat line whose command name holds spaces and parentheses', () => {
    // /proc/<pid>/stat: pid (comm) state ppid … utime(14) stime(15) …, in clock ticks.
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
    const rest = ['S', ...Array.from({ length: 10 }, () => '0'), String(2.5 * ticks), String(0.5 * ticks), '0', '0', '20', '0'];
    expect(parseStat(`4242 (tmux: server (1)) ${rest.join(' ')}`)).toEqual({ name: 'tmux: server (1)', cpuSeconds: 3 });
  });

  it("reads this process's CPU time and RSS, and sees the time it spends", () => {
    const before = readProc(process.pid)!;
    for (const end = performance.now() + 300; performance.now() < end; );
    const after = readProc(process.pid)!;
    expect(after.rssBytes).toBeGreaterThan(10 * 2 ** 20);
    expect(after.cpuSeconds).toBeGreaterThan(before.cpuSeconds);
    expect(readProc(2 ** 30)).toBeNull();
  });

  it("samples another process's CPU and memory over a window", async () => {
    // Busy for a second and a half, holding 64 MiB.
    const child = spawn(process.execPath, ['-e', 'const b = Buffer.alloc(64 * 2 ** 20, 1); for (const end = Date.now() + 1500; Date.now() < end; ); b[0]++;']);
    const sampler = new Sampler({ busy: child.pid! }, 100).start();
    await new Promise((resolve) => child.on('exit', resolve));
    const { busy } = sampler.stop();
    expect(busy!.cpuAvgPct).toBeGreaterThan(0);
    expect(busy!.cpuPeakPct).toBeGreaterThanOrEqual(busy!.cpuAvgPct!);
    expect(busy!.rssPeak).toBeGreaterThan(64 * 2 ** 20);
    expect(busy!.eventLoopAvgPct).toBeGreaterThan(0);
    expect(busy!.databaseThreadAvgPct).toBeNull();
    expect(sampler.system!.busyCores).toBeGreaterThan(0);
  });

  it("tells a server's event loop from its database thread", async () => {
    // A worker thread that names itself as the server's database thread does, busy for a second
    // and a half while the main thread waits for it.
    const worker = `require('fs').writeFileSync('/proc/thread-self/comm', '${DATABASE_THREAD}'); for (const end = Date.now() + 1500; Date.now() < end; );`;
    const main = `new (require('worker_threads').Worker)(${JSON.stringify(worker)}, { eval: true });`;
    const child = spawn(process.execPath, ['-e', main]);
    await new Promise((resolve) => child.on('spawn', resolve));
    const sampler = new Sampler({ server: child.pid! }, 100).start();
    await new Promise((resolve) => child.on('exit', resolve));
    const { server } = sampler.stop();
    // Over the samples that saw the thread: busy nearly all the time; it ends before the process.
    expect(server!.databaseThreadAvgPct).toBeGreaterThan(30);
    expect(server!.eventLoopAvgPct).toBeLessThan(server!.databaseThreadAvgPct! / 2);
  });
});
