/**
 * Starts a server for the benchmark with an opt-in metrics channel, without touching server/src.
 *
 *   node tests/bench/dist/server-entry.js TARGET.js        (compiled by run.ts, see prepareServers)
 *
 * With BENCH_METRICS=1 and an IPC channel (started by run.ts), it measures the event-loop delay
 * with perf_hooks' monitorEventLoopDelay and answers `metrics` calls with the histogram,
 * memoryUsage() and cpuUsage(). Then it imports TARGET: the production build
 * (server/dist/main.js, which reads PORT, HOST, LOG_LEVEL, … from the environment) or the bare
 * Socket.IO baseline, both plain JavaScript run by plain node, as `npm start` runs the server.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { serveRpc } from './rpc.js';

const target = process.argv[2];
if (!target) throw new Error('usage: server-entry.js TARGET.js');
/** Milliseconds since the process started: when this wrapper ran, and when the target had finished its top level. */
const startup: { wrapperAtMs: number; mainLoadedAtMs: number | null } = { wrapperAtMs: Math.round(process.uptime() * 1000), mainLoadedAtMs: null };

/**
 * With BENCH_ALLOCATIONS=DIR (--allocations): `allocationsStart` starts V8's sampling heap
 * profiler, counting the objects that garbage collection has freed meanwhile too — what the
 * process allocates, not what it keeps — and `allocationsStop` writes the profile into DIR.
 * V8 scales its samples, so the sizes in the profile estimate every byte allocated.
 */
function allocationSampling(dir: string) {
  let inspector: Session | null = null;
  let profiles = 0;
  return {
    allocationsStart: async () => {
      if (!inspector) {
        inspector = new Session();
        inspector.connect();
        await inspector.post('HeapProfiler.enable');
      } else {
        await inspector.post('HeapProfiler.stopSampling').catch(() => undefined);
      }
      await inspector.post('HeapProfiler.startSampling', {
        samplingInterval: 16 * 1024,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    },
    allocationsStop: async () => {
      if (!inspector) throw new Error('allocationsStart was not called');
      const { profile } = await inspector.post('HeapProfiler.stopSampling');
      const file = path.join(dir, `${process.pid}-${++profiles}.heapprofile`);
      fs.writeFileSync(file, JSON.stringify(profile));
      return { file };
    },
  };
}

/** `metrics`: the event-loop delay, memory, CPU, GC pauses and startup times, measured from before main.js loads. */
function metricsHandlers() {
  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  // The histogram records the time between 10 ms timer ticks; the delay is what exceeds 10 ms.
  const ms = (ns: number) => Math.max(0, Math.round((ns - 10e6) / 1e4) / 100);
  const gc = (globalThis as { gc?: () => void }).gc;
  const gcPauses = { count: 0, totalMs: 0, maxMs: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcPauses.count++;
      gcPauses.totalMs += e.duration;
      gcPauses.maxMs = Math.max(gcPauses.maxMs, e.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  return {
    metrics: ({ collect = false, reset = false }: { collect?: boolean; reset?: boolean }) => {
      const result = {
        at: Date.now(),
        eventLoopDelay: {
          count: eld.count,
          mean: ms(eld.mean),
          p50: ms(eld.percentile(50)),
          p99: ms(eld.percentile(99)),
          max: ms(eld.max),
        },
        memory: process.memoryUsage(),
        cpu: process.cpuUsage(),
        gcAvailable: Boolean(gc),
        gcPauses: { count: gcPauses.count, totalMs: Math.round(gcPauses.totalMs), maxMs: Math.round(gcPauses.maxMs * 10) / 10 },
        startup,
      };
      if (reset) {
        eld.reset();
        Object.assign(gcPauses, { count: 0, totalMs: 0, maxMs: 0 });
      }
      if (collect && gc) {
        // For a memory reading: after the figures above, so the forced pauses are not counted in them.
        gc();
        gc();
        result.memory = process.memoryUsage();
        Object.assign(gcPauses, { count: 0, totalMs: 0, maxMs: 0 });
      }
      return result;
    },
  };
}

/** What run.ts may call; the allocation methods answer only with BENCH_ALLOCATIONS set. */
export type ServerApi = ReturnType<typeof metricsHandlers> & ReturnType<typeof allocationSampling>;

if (process.env.BENCH_METRICS === '1' && process.send) {
  serveRpc({
    ...metricsHandlers(),
    ...(process.env.BENCH_ALLOCATIONS ? allocationSampling(process.env.BENCH_ALLOCATIONS) : {}),
  });
}

// main.js opens the store with a top-level await, so this resolves once the store is open.
await import(pathToFileURL(target).href);
startup.mainLoadedAtMs = Math.round(process.uptime() * 1000);
