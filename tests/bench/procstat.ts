import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** CPU time and RSS of other processes, read from /proc (Linux). */

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  /* keep 100 */
}

export interface ProcSample {
  at: number;
  /** user + system CPU seconds so far. */
  cpuSeconds: number;
  rssBytes: number;
}

export function readProc(pid: number): ProcSample | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command name start at field 3 (state): utime is 14, stime 15.
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / clockTicks;
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { at: performance.now(), cpuSeconds, rssBytes: rssKb * 1024 };
  } catch {
    return null;
  }
}

export interface ProcUsage {
  /** Average over the window, percent of one core. */
  cpuAvgPct: number | null;
  /** Highest one-second average in the window. */
  cpuPeakPct: number | null;
  rssPeak: number | null;
  rssEnd: number | null;
}

/** Samples a set of processes every `intervalMs` until stopped. */
export class Sampler {
  private samples = new Map<string, ProcSample[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pids: Record<string, number>,
    private readonly intervalMs = 500,
  ) {}

  start(): this {
    this.take();
    this.timer = setInterval(() => this.take(), this.intervalMs);
    return this;
  }

  private take(): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      const s = readProc(pid);
      if (!s) continue;
      let list = this.samples.get(name);
      if (!list) this.samples.set(name, (list = []));
      list.push(s);
    }
  }

  stop(): Record<string, ProcUsage> {
    clearInterval(this.timer);
    this.take();
    const out: Record<string, ProcUsage> = {};
    for (const name of Object.keys(this.pids)) {
      const list = this.samples.get(name) ?? [];
      if (list.length < 2) {
        out[name] = { cpuAvgPct: null, cpuPeakPct: null, rssPeak: list[0]?.rssBytes ?? null, rssEnd: list.at(-1)?.rssBytes ?? null };
        continue;
      }
      const first = list[0]!;
      const last = list.at(-1)!;
      const pct = (a: ProcSample, b: ProcSample) => ((b.cpuSeconds - a.cpuSeconds) / ((b.at - a.at) / 1000)) * 100;
      let peak = 0;
      for (let i = 0, j = 0; i < list.length; i++) {
        while (list[i]!.at - list[j]!.at > 1000) j++;
        if (i > j && list[i]!.at - list[j]!.at >= 900) peak = Math.max(peak, pct(list[j]!, list[i]!));
      }
      out[name] = {
        cpuAvgPct: Math.round(pct(first, last) * 10) / 10,
        cpuPeakPct: Math.round(peak * 10) / 10,
        rssPeak: Math.max(...list.map((s) => s.rssBytes)),
        rssEnd: last.rssBytes,
      };
    }
    return out;
  }
}
