import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

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

/**
 * CPU seconds of a process's main thread (a Node process: the event loop) and of its embedded
 * database thread (null while it has none: the bare relay, or before it started or after it ended).
 */
export interface ThreadSeconds {
  eventLoop: number;
  database: number | null;
}

/** The name our server's database thread gives itself (server/src/storage/pglite-worker.ts). */
export const DATABASE_THREAD = 'pglite';

/** CPU seconds of a process's main thread and of its thread named DATABASE_THREAD, if it has one. */
export function threadSeconds(pid: number): ThreadSeconds {
  const seconds = (tid: string) => parseStat(fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')).cpuSeconds;
  let database: number | null = null;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      if (fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() === DATABASE_THREAD) database = (database ?? 0) + seconds(tid);
    } catch {
      // A thread that ended since the directory was read.
    }
  }
  return { eventLoop: seconds(String(pid)), database };
}

/** The command name and user + system CPU seconds of a `/proc/…/stat` line. */
export function parseStat(stat: string): { name: string; cpuSeconds: number } {
  // The name is in parentheses and may hold spaces and parentheses itself; fields after it start
  // at field 3 (state): utime is 14, stime 15.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return { name: stat.slice(stat.indexOf('(') + 1, close), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / clockTicks };
}

export function readProc(pid: number): ProcSample | null {
  try {
    const { cpuSeconds } = parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { at: performance.now(), cpuSeconds, rssBytes: rssKb * 1024 };
  } catch {
    return null;
  }
}

/** Whole-machine CPU ticks from /proc/stat: busy, idle and steal (time the hypervisor took). */
export function readSystem(): { busy: number; total: number; steal: number } | null {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
    return { busy: user + nice + system + irq + softirq + steal, total: user + nice + system + idle + iowait + irq + softirq + steal, steal };
  } catch {
    return null;
  }
}

/**
 * Processes that are part of the system under test besides the ones started here, by name: the
 * database server with --store=postgres, whose CPU is the server's work, not a disturbance.
 */
let alsoOurs: ((name: string) => boolean) | null = null;
export function countAsOurs(test: (name: string) => boolean): void {
  alsoOurs = test;
}

type Usage = Map<number, { cpuSeconds: number; name: string }>;

/** CPU seconds gained from `before` to `after` by the processes in `after` (new ones from zero). */
function secondsBetween(before: Map<number, { cpuSeconds: number }>, after: Map<number, { cpuSeconds: number }>): number {
  let seconds = 0;
  for (const [pid, a] of after) seconds += a.cpuSeconds - (before.get(pid)?.cpuSeconds ?? 0);
  return seconds;
}

/**
 * CPU seconds so far by pid, in one pass over /proc: every process but the excluded ones (ours),
 * with those counted as ours by name (countAsOurs) apart.
 */
function processes(exclude: ReadonlySet<number>): { others: Usage; named: Usage } {
  const others: Usage = new Map();
  const named: Usage = new Map();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return { others, named };
  }
  for (const e of entries) {
    const pid = Number(e);
    if (!Number.isInteger(pid) || exclude.has(pid)) continue;
    try {
      const usage = parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
      (alsoOurs?.(usage.name) ? named : others).set(pid, usage);
    } catch {
      /* gone */
    }
  }
  return { others, named };
}

/** Cores used by other processes between two snapshots, and the busiest of them. */
export function othersBetween(
  before: Usage,
  after: Usage,
  seconds: number,
): { cores: number; top: string[] } {
  const used: [string, number][] = [];
  for (const [pid, a] of after) used.push([`${a.name}(${pid})`, a.cpuSeconds - (before.get(pid)?.cpuSeconds ?? 0)]);
  used.sort((x, y) => y[1] - x[1]);
  const total = used.reduce((n, [, s]) => n + s, 0);
  return {
    cores: Math.round((total / seconds) * 100) / 100,
    top: used.filter(([, s]) => s / seconds >= 0.02).slice(0, 3).map(([n, s]) => `${n} ${Math.round((s / seconds) * 100)}%`),
  };
}

/**
 * Cores used by anything but `ours` over `ms`: the whole machine's busy time (/proc/stat, which
 * also sees processes that start and end within the window) minus our processes' CPU time.
 */
export async function othersCoresOver(ours: readonly number[], ms: number): Promise<{ cores: number; top: string[] }> {
  const exclude = new Set(ours);
  const sys0 = readSystem();
  const ours0 = ours.map((pid) => readProc(pid)?.cpuSeconds ?? 0);
  const procs0 = processes(exclude);
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const sys1 = readSystem();
  const ours1 = ours.map((pid) => readProc(pid)?.cpuSeconds ?? 0);
  const seconds = (performance.now() - t0) / 1000;
  const procs1 = processes(exclude);
  const visible = othersBetween(procs0.others, procs1.others, seconds);
  if (!sys0 || !sys1 || sys1.total <= sys0.total) return visible;
  const busyCores = ((sys1.busy - sys0.busy) / (sys1.total - sys0.total)) * os.availableParallelism();
  const oursCores = (ours1.reduce((n, c, i) => n + (c - ours0[i]!), 0) + secondsBetween(procs0.named, procs1.named)) / seconds;
  return { cores: Math.round(Math.max(visible.cores, busyCores - oursCores) * 100) / 100, top: visible.top };
}

export interface ProcUsage {
  /** Average over the window, percent of one core. */
  cpuAvgPct: number | null;
  /** Of that average, the main thread's (the event loop) and the database thread's. */
  eventLoopAvgPct: number | null;
  databaseThreadAvgPct: number | null;
  /** Highest one-second average in the window. */
  cpuPeakPct: number | null;
  rssPeak: number | null;
  rssEnd: number | null;
}

type ThreadSample = ProcSample & { threads: ThreadSeconds };

/** Samples a set of processes every `intervalMs` until stopped. */
export class Sampler {
  private samples = new Map<string, ThreadSample[]>();
  private timer: NodeJS.Timeout | undefined;
  private system0 = readSystem();
  /** Whole machine over the window, in cores (of availableParallelism): everything, steal, and other processes than ours. */
  system: { busyCores: number; stealCores: number; othersCores: number; othersTop: string[]; databaseCores?: number } | null = null;
  private procs0: { others: Usage; named: Usage } = { others: new Map(), named: new Map() };
  private t0 = 0;
  private self0: ProcSample | null = null;

  constructor(
    private readonly pids: Record<string, number>,
    private readonly intervalMs = 500,
  ) {}

  start(): this {
    this.system0 = readSystem();
    this.procs0 = processes(this.ours());
    this.self0 = readProc(process.pid);
    this.t0 = performance.now();
    this.take();
    this.timer = setInterval(() => this.take(), this.intervalMs);
    return this;
  }

  private ours(): Set<number> {
    return new Set([process.pid, process.ppid, ...Object.values(this.pids)]);
  }

  private take(): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      const s = readProc(pid);
      if (!s) continue;
      let threads: ThreadSeconds;
      try {
        threads = threadSeconds(pid);
      } catch {
        continue; // Gone since its stat was read.
      }
      let list = this.samples.get(name);
      if (!list) this.samples.set(name, (list = []));
      list.push({ ...s, threads });
    }
  }

  stop(): Record<string, ProcUsage> {
    clearInterval(this.timer);
    this.take();
    const sys = readSystem();
    if (sys && this.system0 && sys.total > this.system0.total) {
      const cores = os.availableParallelism();
      const total = sys.total - this.system0.total;
      const seconds = (performance.now() - this.t0) / 1000;
      const procs = processes(this.ours());
      const others = othersBetween(this.procs0.others, procs.others, seconds);
      const busyCores = ((sys.busy - this.system0.busy) / total) * cores;
      // Ours: the sampled processes plus this one (the orchestrator).
      let oursSeconds = 0;
      for (const list of this.samples.values()) if (list.length > 1) oursSeconds += list.at(-1)!.cpuSeconds - list[0]!.cpuSeconds;
      const self = readProc(process.pid);
      if (self && this.self0) oursSeconds += self.cpuSeconds - this.self0.cpuSeconds;
      const named = secondsBetween(this.procs0.named, procs.named);
      oursSeconds += named;
      this.system = {
        busyCores: Math.round(busyCores * 100) / 100,
        stealCores: Math.round(((sys.steal - this.system0.steal) / total) * cores * 100) / 100,
        // Processes that started and ended inside the window are only in the machine's total.
        othersCores: Math.round(Math.max(others.cores, busyCores - oursSeconds / seconds) * 100) / 100,
        othersTop: others.top,
        ...(alsoOurs ? { databaseCores: Math.round((named / seconds) * 100) / 100 } : {}),
      };
    }
    const out: Record<string, ProcUsage> = {};
    for (const name of Object.keys(this.pids)) {
      const list = this.samples.get(name) ?? [];
      if (list.length < 2) {
        out[name] = {
          cpuAvgPct: null,
          eventLoopAvgPct: null,
          databaseThreadAvgPct: null,
          cpuPeakPct: null,
          rssPeak: list[0]?.rssBytes ?? null,
          rssEnd: list.at(-1)?.rssBytes ?? null,
        };
        continue;
      }
      const first = list[0]!;
      const last = list.at(-1)!;
      const pct = (a: ThreadSample, b: ThreadSample, of = (x: ThreadSample) => x.cpuSeconds) => ((of(b) - of(a)) / ((b.at - a.at) / 1000)) * 100;
      // The database thread over the samples that saw it: a thread's time is gone from /proc once it ends.
      const withDatabase = list.filter((x) => x.threads.database !== null);
      const database = withDatabase.length > 1 ? pct(withDatabase[0]!, withDatabase.at(-1)!, (x) => x.threads.database!) : null;
      // Highest CPU over any window of about a second (the samples are `intervalMs` apart).
      let peak = 0;
      for (let i = 1, j = 0; i < list.length; i++) {
        while (j + 1 < i && list[i]!.at - list[j + 1]!.at >= 900) j++;
        if (list[i]!.at - list[j]!.at >= 900) peak = Math.max(peak, pct(list[j]!, list[i]!));
      }
      out[name] = {
        cpuAvgPct: Math.round(pct(first, last) * 10) / 10,
        eventLoopAvgPct: Math.round(pct(first, last, (x) => x.threads.eventLoop) * 10) / 10,
        databaseThreadAvgPct: database === null ? null : Math.round(database * 10) / 10,
        cpuPeakPct: Math.round(peak * 10) / 10,
        rssPeak: Math.max(...list.map((s) => s.rssBytes)),
        rssEnd: last.rssBytes,
      };
    }
    return out;
  }
}
