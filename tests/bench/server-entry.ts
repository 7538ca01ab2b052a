/**
 * Starts a server for the benchmark with an opt-in metrics channel, without touching server/src.
 *
 *   node --import tsx tests/bench/server-entry.ts [bare]
 *
 * With BENCH_METRICS=1 and an IPC channel (started by run.ts), it measures the event-loop delay
 * with perf_hooks' monitorEventLoopDelay and answers `metrics` calls with the histogram,
 * memoryUsage() and cpuUsage(). Then it imports the production entry (server/src/main.ts, which
 * reads PORT, HOST, LOG_LEVEL, … from the environment) or the bare Socket.IO baseline.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { serveRpc } from './rpc.js';

const target = process.argv[2] === 'bare' ? './bare-server.ts' : '../../server/src/main.ts';

if (process.env.BENCH_METRICS === '1' && process.send) {
  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  const gc = (globalThis as { gc?: () => void }).gc;
  serveRpc({
    metrics: ({ collect = false, reset = false }: { collect?: boolean; reset?: boolean }) => {
      if (collect && gc) {
        gc();
        gc();
      }
      const result = {
        at: Date.now(),
        eventLoopDelay: {
          count: eld.count,
          min: ms(eld.min),
          mean: ms(eld.mean),
          p50: ms(eld.percentile(50)),
          p99: ms(eld.percentile(99)),
          max: ms(eld.max),
        },
        memory: process.memoryUsage(),
        cpu: process.cpuUsage(),
        gcAvailable: Boolean(gc),
      };
      if (reset) eld.reset();
      return result;
    },
  });
}

await import(target);
