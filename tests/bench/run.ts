/**
 * `npm run bench`: Kollegium's real-time benchmark. See docs/benchmarks.md.
 *
 * Builds the client and the server, starts the production server (server/dist/main.js through
 * server-entry.ts, both plain JavaScript run by plain node) pinned to the first half of the
 * cores (core 0 of two) and the load generator (generator.ts) to the other half (core 1), runs
 * the scenarios, then the same against a bare Socket.IO relay (bare-server.ts), prints a table and
 * writes results/latest.json (quick runs: results/quick.json) and the chart.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildServer, NODE_FLAGS } from '../../server/build.js';
import { renderChart } from './chart.js';
import { describeClientWeight, measureClientWeight, PARTICIPANT_JS_BUDGET, type ClientWeight } from '../../client/weight.js';
import type { GeneratorApi, InitArgs, LoadArgs, LoadResult } from './generator.js';
import { HELP, OptionsError, parseOptions, type Options } from './options.js';
import { countAsOurs, othersCoresOver, readProc, Sampler, type ProcUsage } from './procstat.js';
import { describeParts, summarizeAllocations, summarizeProfile, type AllocationSummary, type ProfileSummary } from './profile-top.js';
import { RpcClient, type Answer, type Handlers } from './rpc.js';
import type { ServerApi } from './server-entry.js';
import { fmtBytes, fmtMs, fmtRatio, fmtRssPoints, fmtThreads, round, sleep, summarize, type Summary } from './stats.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../..');
const RESULTS = path.join(here, 'results');
const opts = ((): Options => {
  try {
    const parsed = parseOptions();
    if (parsed !== 'help') return parsed;
    console.log(HELP);
    process.exit(0);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    console.error(`${error.message}\n\n${HELP}`);
    process.exit(2);
  }
})();
const started = new Date();
const children = new Set<ChildProcess>();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kollegium-bench-'));
const canPin = opts.pin && os.availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
/**
 * The cores of the server and of the load generator (taskset lists): each its own half of the
 * machine, the server the first — one core each on two, the server's event loop and its database
 * thread side by side from four.
 */
const CORES = (() => {
  const n = os.availableParallelism();
  const half = Math.max(1, Math.floor(n / 2));
  const list = (from: number, to: number) => (to > from ? `${from}-${to}` : String(from));
  return { server: list(0, half - 1), generator: list(half, n - 1) };
})();
// With --store=postgres the database server works for ours: its CPU is no other process' load.
if (opts.store === 'postgres') countAsOurs((name) => name === 'postgres');

// ---------------------------------------------------------------------------------------------
// Processes

function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null && child.pid) child.kill('SIGKILL');
}
process.on('exit', () => {
  killAll();
  if (opts.keepLogs) console.log(`logs and data kept in ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping`);
    process.exit(130);
  });
}
const watchdogMs = (opts.quick ? 6 : 30) * 60_000 + (opts.duration + opts.rampBudget) * 1000;
setTimeout(() => {
  console.error(`\nwatchdog: the benchmark ran longer than ${watchdogMs / 60_000} minutes; stopping`);
  process.exit(3);
}, watchdogMs).unref();

/** A TypeScript script through tsx; a `.js` one (the servers, see prepareServers) by plain node. */
function spawnNode<Api extends Handlers>(name: string, cores: string, script: string, args: string[], env: NodeJS.ProcessEnv, nodeFlags: string[] = [], log?: string) {
  const nodeArgs = [...nodeFlags, ...(script.endsWith('.ts') ? ['--import', 'tsx'] : []), script, ...args];
  const [cmd, argv] = canPin ? ['taskset', ['-c', cores, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const out = log ? fs.openSync(log, 'a') : 'inherit';
  const child = spawn(cmd, argv, { cwd: ROOT, env, stdio: ['ignore', out, out, 'ipc'] });
  if (typeof out === 'number') fs.closeSync(out);
  children.add(child);
  child.once('exit', () => children.delete(child));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return { child, pid: child.pid!, rpc: new RpcClient<Api>(child, name), exited };
}

async function stopProcess(p: { child: ChildProcess; exited: Promise<void> }, graceMs = 5000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** When a build was made, for the log of a --no-build run. */
const builtAt = (file: string) => (fs.existsSync(file) ? `built ${fs.statSync(file).mtime.toISOString()}` : 'not built');

/** Compiled by prepareServers: the wrapper, and what it starts for each kind of server. */
const BENCH_DIST = path.join(here, 'dist');
const SERVER_ENTRY = path.join(BENCH_DIST, 'server-entry.js');
const TARGETS = { ours: path.join(ROOT, 'server/dist/main.js'), bare: path.join(BENCH_DIST, 'bare-server.js') };
/** As `npm start` runs the server, plus a GC the wrapper can trigger before memory readings. */
const SERVER_NODE_FLAGS = [...NODE_FLAGS, '--expose-gc'];

/**
 * The servers run as JavaScript built ahead of time, not through tsx: ours is the production
 * build (`npm run build -w server`, skipped with --no-build), and the wrapper and the bare relay
 * are compiled the same way (esbuild, npm packages from node_modules), so both start and run alike.
 */
async function prepareServers(): Promise<void> {
  if (opts.build) {
    log('building the server (npm run build -w server)…');
    await buildServer();
  } else if (!fs.existsSync(TARGETS.ours)) {
    throw new Error(`${path.relative(ROOT, TARGETS.ours)} is missing: run \`npm run build -w server\` or leave out --no-build`);
  } else {
    log(`--no-build: running ${path.relative(ROOT, TARGETS.ours)}, ${builtAt(TARGETS.ours)}`);
  }
  await build({
    entryPoints: [path.join(here, 'server-entry.ts'), path.join(here, 'bare-server.ts')],
    outdir: BENCH_DIST,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    packages: 'external',
    logLevel: 'warning',
  });
}

type Kind = 'ours' | 'bare';
type ServerMetrics = Answer<ServerApi, 'metrics'>;
interface Server {
  kind: Kind;
  url: string;
  pid: number;
  child: ChildProcess;
  exited: Promise<void>;
  log: string;
  readyMs: number;
  rpc: RpcClient<ServerApi>;
}

const metricsOf = (server: Server, args: Parameters<ServerApi['metrics']>[0] = {}) => server.rpc.call('metrics', args, 30_000);

let serverCount = 0;
/** With --store=postgres, our server processes' schemas, dropped at the end. */
const benchSchemas = new Set<string>();

function serverEnv(port: number, dataDir: string): NodeJS.ProcessEnv {
  // The default store: PGlite on disk in DATA_DIR (not a Postgres the environment may point at);
  // with --store=postgres, a fresh schema on that server for each data directory.
  const { DATABASE_URL: _url, DATABASE_SCHEMA: _schema, ...env } = process.env;
  const schema = `kollegium_bench_${process.pid}_${path.basename(dataDir).replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
  if (opts.store === 'postgres') benchSchemas.add(schema);
  return {
    ...env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // A load test sends far more per connection and per address than people do.
    COMMAND_RATE_LIMIT: '1000000',
    JOIN_RATE_LIMIT: '1000000',
    // The default store, PGlite, keeps its files here.
    DATA_DIR: dataDir,
    BENCH_METRICS: '1',
    ...(opts.allocations ? { BENCH_ALLOCATIONS: profilesDir() } : {}),
    ...(opts.store === 'postgres' ? { DATABASE_URL: opts.databaseUrl, DATABASE_SCHEMA: schema } : {}),
  };
}

async function waitHealthy(url: string, child: ChildProcess, limitMs = 30_000): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < limitMs) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('server exited before it was ready');
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return performance.now() - t0;
    } catch {
      /* not yet */
    }
    await sleep(20);
  }
  throw new Error(`server not healthy within ${limitMs} ms`);
}

/** Where this run's CPU and allocation profiles go (made on first use). */
function profilesDir(): string {
  const dir = path.join(RESULTS, 'profiles', started.toISOString().replace(/[:.]/g, '-'));
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** A server process on the server's cores through the wrapper, with the flags `npm start` uses and the run's own. */
function spawnServer(kind: Kind, port: number, dataDir: string, log: string, extraFlags: string[] = []) {
  const flags = [...SERVER_NODE_FLAGS, ...opts.serverNodeFlags.split(' ').filter(Boolean), ...extraFlags];
  return spawnNode<ServerApi>('server', CORES.server, SERVER_ENTRY, [TARGETS[kind]], serverEnv(port, dataDir), flags, log);
}

async function startServer(kind: Kind, port: number, dataDir: string, profileDir?: string): Promise<Server> {
  const log = path.join(tmp, `server-${++serverCount}-${kind}.log`);
  const p = spawnServer(kind, port, dataDir, log, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
  const url = `http://127.0.0.1:${port}`;
  let readyMs: number;
  try {
    readyMs = await waitHealthy(url, p.child);
  } catch (error) {
    console.error(tail(log));
    throw error;
  }
  return {
    kind,
    url,
    pid: p.pid,
    child: p.child,
    exited: p.exited,
    log,
    readyMs,
    rpc: p.rpc,
  };
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

type Generator = ReturnType<typeof spawnNode<GeneratorApi>>;

async function startGenerator(url: string, mode: Kind, reconnect = false): Promise<Generator> {
  const p = spawnNode<GeneratorApi>('generator', CORES.generator, path.join(here, 'generator.ts'), [], { ...process.env, NODE_ENV: 'production' }, [
    '--max-old-space-size=8192',
    ...opts.generatorNodeFlags.split(' ').filter(Boolean),
  ]);
  const init: InitArgs = {
    url,
    mode,
    participants: opts.participants,
    reconnect,
    httpConcurrency: 16,
    connectConcurrency: 64,
    sessionConcurrency: 16,
    ackTimeoutMs: 30_000,
  };
  await p.rpc.call('init', init);
  return p;
}

const addSessions = (gen: Generator, count: number) =>
  gen.rpc.call('addSessions', { count }, 120_000 + count * opts.participants * 200);

const runLoad = (gen: Generator, args: LoadArgs) =>
  gen.rpc.call('load', args, args.durationMs + args.graceMs + 120_000);

interface Measured<T> {
  result: T;
  /** The whole machine meanwhile, in cores busy: compare with server + generator to see others' load. */
  machine: { busyCores: number; stealCores: number; othersCores: number; othersTop: string[]; databaseCores?: number } | null;
  /** An earlier attempt thrown away because other processes used the machine meanwhile. */
  discarded?: { othersCores: number; fanoutP99: number | null; lost: number };
  /** With --allocations, in the steady run: what the server allocated (sampled), in all and per contribution sent. */
  allocations?: AllocationSummary & { perContribution: number };
  server: ProcUsage & { eventLoopDelay: ServerMetrics['eventLoopDelay'] | null; gcPauses: ServerMetrics['gcPauses'] | null };
  generator: ProcUsage;
}

/** Runs `work` while sampling both processes' CPU and RSS and the server's event-loop delay. */
async function measured<T>(server: Server, gen: Generator, work: () => Promise<T>): Promise<Measured<T>> {
  await metricsOf(server, { reset: true }).catch(() => null);
  const sampler = new Sampler({ server: server.pid, generator: gen.pid }).start();
  let result: T;
  let usage: Record<string, ProcUsage>;
  try {
    result = await work();
  } finally {
    usage = sampler.stop();
  }
  const m = await metricsOf(server).catch(() => null);
  return { result, machine: sampler.system, server: { ...usage.server!, eventLoopDelay: m?.eventLoopDelay ?? null, gcPauses: m?.gcPauses ?? null }, generator: usage.generator! };
}

/**
 * A load run measured on a quiet machine: waits for other processes to leave it idle, and runs
 * once more if they came back meanwhile (the first attempt's figures are kept, marked as discarded).
 */
async function measuredLoad(server: Server, gen: Generator, kind: Kind, what: string, args: LoadArgs): Promise<Measured<LoadResult>> {
  let discarded: Measured<LoadResult>['discarded'];
  for (let attempt = 1; ; attempt++) {
    await waitMachineQuiet(what, [server.pid, gen.pid]);
    const sampled = opts.allocations && args.label === 'steady';
    const sample = { file: null as string | null };
    const m = await measured(server, gen, async () => {
      if (sampled) await server.rpc.call('allocationsStart');
      const load = await runLoad(gen, args);
      if (sampled) sample.file = (await server.rpc.call('allocationsStop')).file;
      return load;
    });
    if (sample.file) {
      const summary = summarizeAllocations(sample.file);
      m.allocations = { ...summary, perContribution: Math.round(summary.bytes / Math.max(1, m.result.sent)) };
    }
    if (discarded) m.discarded = discarded;
    const others = m.machine?.othersCores ?? 0;
    if (others <= 0.15 || attempt >= 2 || opts.quick || !opts.waitQuiet) return m;
    log(`${what}: other processes used ${others} cores meanwhile (fan-out p99 ${fmtMs(m.result.fanout.p99)}); measuring again`);
    discarded = { othersCores: others, fanoutP99: m.result.fanout.p99, lost: m.result.lost };
    await waitQuiet(server, kind);
  }
}

/** Server RSS after a full GC and a moment to settle; the base for memory per connection and per session. */
async function memoryPoint(server: Server): Promise<{ rss: number; heapUsed: number; external: number }> {
  await sleep(opts.quick ? 500 : 1500);
  const m = await metricsOf(server, { collect: true });
  await sleep(300);
  const rss = readProc(server.pid)?.rssBytes ?? m.memory.rss;
  return { rss, heapUsed: m.memory.heapUsed, external: m.memory.external + m.memory.arrayBuffers };
}

let quietWaitedMs = 0;
/**
 * Waits (bounded) until no other process on the machine uses more than a tenth of a core for
 * five seconds in a row, so that others' test runs do not end up in our figures. Quick runs skip it.
 */
async function waitMachineQuiet(what: string, ours: number[]): Promise<void> {
  if (opts.quick || !opts.waitQuiet) return;
  const budgetMs = 10 * 60_000;
  const t0 = performance.now();
  let quietSince = performance.now();
  let announced = false;
  while (performance.now() - quietSince < 5000) {
    if (quietWaitedMs + (performance.now() - t0) > budgetMs) {
      log(`machine not quiet before ${what}; the wait budget is used up, going on`);
      break;
    }
    const o = await othersCoresOver([process.pid, process.ppid, ...ours], 1000);
    if (o.cores > 0.1) {
      quietSince = performance.now();
      if (!announced) log(`waiting for a quiet machine before ${what} (others: ${o.cores} cores${o.top.length ? `: ${o.top.join(', ')}` : ''})…`);
      announced = true;
    }
  }
  quietWaitedMs += performance.now() - t0;
}

/** After the server has worked off its backlog: how many receipts counted lost came late after all. */
async function noteLate(gen: Generator, m: Measured<LoadResult>): Promise<void> {
  if (m.result.lost === 0) return;
  const late = await gen.rpc.call('late').catch(() => ({}) as Answer<GeneratorApi, 'late'>);
  const entry = late[m.result.label];
  m.result.lateAfterGrace = entry ? entry.late : 0;
  m.result.neverArrived = entry ? entry.stillMissing : 0;
  log(`  of the ${m.result.lost} receipts counted lost, ${m.result.lateAfterGrace} came after the grace period; ${m.result.neverArrived} never came`);
}

/** Waits (bounded) until the server has worked off what an earlier scenario left queued. */
async function waitQuiet(server: Server, kind: Kind, limitMs = opts.quick ? 5000 : 60_000): Promise<void> {
  const t0 = performance.now();
  let prev = readProc(server.pid);
  while (performance.now() - t0 < limitMs) {
    await sleep(1000);
    const now = readProc(server.pid);
    if (!prev || !now) return;
    const pct = ((now.cpuSeconds - prev.cpuSeconds) / ((now.at - prev.at) / 1000)) * 100;
    prev = now;
    if (pct < 15) return;
  }
  log(`${kind}: server still busy after ${limitMs / 1000} s; going on`);
}

const log = (text: string) => console.log(`[${((Date.now() - started.getTime()) / 1000).toFixed(0).padStart(4)} s] ${text}`);

// ---------------------------------------------------------------------------------------------
// Scenarios

interface MainResult {
  kind: Kind;
  startupMs: number;
  setup: Answer<GeneratorApi, 'addSessions'> & Pick<Measured<unknown>, 'server' | 'generator' | 'machine'>;
  memory: {
    baseline: { rss: number; heapUsed: number };
    /** With half the sessions set up: per idle connection = (idle − halfway) ÷ the connections in between. */
    halfway: { memory: { rss: number; heapUsed: number }; connections: number } | null;
    idle: { rss: number; heapUsed: number };
    active: { rss: number; heapUsed: number } | null;
    perIdleConnection: number;
    perIdleConnectionHeap: number;
    /**
     * What a session holds once active — its round, versions and answers — beyond its connections
     * and what it held when they were set up idle, which the per-connection figure counts.
     */
    perActiveSession: number | null;
    perActiveSessionHeap: number | null;
    /** Everything per session, its 27 connections included: (after steady − baseline) ÷ sessions. */
    perSessionWithConnections: number | null;
  };
  steady: Measured<LoadResult>;
  burst: Measured<LoadResult> | null;
  profile: ProfileSummary | null;
}

async function runMain(kind: Kind): Promise<MainResult> {
  const port = await freePort();
  const profileDir = opts.profile && kind === 'ours' ? profilesDir() : undefined;
  const server = await startServer(kind, port, path.join(tmp, `data-${kind}-main`), profileDir);
  log(`${kind}: server up on ${server.url} (pid ${server.pid}) in ${Math.round(server.readyMs)} ms`);
  const gen = await startGenerator(server.url, kind);
  try {
    // Warm up (JIT, the store's buffers, socket.io's pools) so the baseline holds the fixed costs.
    await addSessions(gen, 2);
    await runLoad(gen, { label: 'warm-up', rate: 20, durationMs: 2000, graceMs: 5000, advancePhases: true });
    await gen.rpc.call('closeAll', {}, 60_000);
    const baseline = await memoryPoint(server);
    log(`${kind}: setting up ${opts.sessions} sessions × (${opts.participants} participants + facilitator + board)…`);
    // Memory per idle connection is the slope from half to all of them connected, so the server's
    // fixed costs stay out of it — above all a young generation grown to its full size under the
    // setup's load, which is the same whether 2,700 or 5,400 people are connected.
    let halfway = null as { memory: Awaited<ReturnType<typeof memoryPoint>>; connections: number } | null;
    const setup = await measured(server, gen, async () => {
      const firstCount = Math.ceil(opts.sessions / 2);
      const first = await addSessions(gen, firstCount);
      if (opts.sessions === firstCount) return first;
      halfway = { memory: await memoryPoint(server), connections: first.connections };
      const second = await addSessions(gen, opts.sessions - firstCount);
      return { ...second, added: first.added + second.added, failed: first.failed + second.failed, errors: [...first.errors, ...second.errors], ms: first.ms + second.ms };
    });
    const s = setup.result;
    log(`${kind}: ${s.sessions} sessions, ${s.connections} connections in ${(s.ms / 1000).toFixed(1)} s${s.failed ? `, ${s.failed} FAILED: ${s.errors[0]}` : ''}`);
    if (s.sessions === 0) throw new Error(`${kind}: no session could be set up: ${s.errors.join('; ')}`);
    const idle = await memoryPoint(server);
    log(`${kind}: steady ${opts.rate}/s for ${opts.duration} s…`);
    const steady = await measuredLoad(server, gen, kind, `${kind} steady`, {
      label: 'steady',
      rate: opts.rate,
      durationMs: opts.duration * 1000,
      graceMs: opts.grace * 1000,
      advancePhases: true,
    });
    log(`${kind}: steady: ${brief(steady)}`);
    await waitQuiet(server, kind);
    await noteLate(gen, steady);
    const active = await memoryPoint(server);
    let burst: Measured<LoadResult> | null = null;
    if (!opts.skip.includes('burst')) {
      log(`${kind}: burst ${opts.burstRate}/s for ${opts.burstDuration} s…`);
      burst = await measuredLoad(server, gen, kind, `${kind} burst`, {
        label: 'burst',
        rate: opts.burstRate,
        durationMs: opts.burstDuration * 1000,
        graceMs: opts.grace * 1000,
        advancePhases: false,
      });
      log(`${kind}: burst: ${brief(burst)}`);
      await waitQuiet(server, kind);
      await noteLate(gen, burst);
    }
    const conns = s.connections;
    const [from, fromConns] = halfway && conns > halfway.connections ? [halfway.memory, halfway.connections] : [baseline, 0];
    await gen.rpc.call('closeAll', {}, 60_000).catch(() => null);
    await stopProcess(server, profileDir ? 60_000 : 5000);
    let profile: ProfileSummary | null = null;
    if (profileDir) {
      // The main thread's profile (thread 0); others are helper threads.
      const files = fs.readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
      const file = files.find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f)) ?? files[0];
      if (file) {
        profile = summarizeProfile(path.join(profileDir, file));
        log(`${kind}: CPU profile ${path.relative(ROOT, path.join(profileDir, file))}`);
      }
    }
    return {
      kind,
      startupMs: Math.round(server.readyMs),
      setup: { ...s, server: setup.server, generator: setup.generator, machine: setup.machine },
      memory: {
        baseline,
        halfway,
        idle,
        active,
        perIdleConnection: Math.round((idle.rss - from.rss) / (conns - fromConns)),
        perIdleConnectionHeap: Math.round((idle.heapUsed - from.heapUsed) / (conns - fromConns)),
        perActiveSession: Math.round((active.rss - idle.rss) / s.sessions),
        perActiveSessionHeap: Math.round((active.heapUsed - idle.heapUsed) / s.sessions),
        perSessionWithConnections: Math.round((active.rss - baseline.rss) / s.sessions),
      },
      steady,
      burst,
      profile,
    };
  } finally {
    await stopProcess(gen);
    await stopProcess(server);
  }
}

function brief(m: Measured<LoadResult>): string {
  const r = m.result;
  return (
    `sent ${r.sent} (${r.achievedRate}/s), fan-out p50 ${fmtMs(r.fanout.p50)} p99 ${fmtMs(r.fanout.p99)} max ${fmtMs(r.fanout.max)}, ` +
    `ack p99 ${fmtMs(r.ack.p99)}, lost ${r.lost}/${r.expectedReceipts}, server CPU ${m.server.cpuAvgPct ?? '—'}%, ` +
    `${m.machine?.databaseCores !== undefined ? `database CPU ${Math.round(m.machine.databaseCores * 100)}%, ` : ''}generator CPU ${r.generator.cpuPct}%`
  );
}

interface RampStep {
  sessions: number;
  connections: number;
  rate: number;
  fanout: LoadResult['fanout'];
  ackP99: number | null;
  lost: number;
  ackTimeouts: number;
  refused: number;
  serverCpuPct: number | null;
  serverRss: number | null;
  eventLoopDelayP99: number | null;
  generatorCpuPct: number;
  generatorLoopDelayMax: number;
  generatorGcPauseMax: number;
  othersCores: number | null;
  /** When the step was measured twice (its first attempt was over the limit): the first attempt's p99. */
  firstAttemptP99: number | null;
  pass: boolean;
}
interface RampResult {
  kind: Kind;
  perSessionRate: number;
  steps: RampStep[];
  stopReason: string;
  held: { sessions: number; connections: number } | null;
  ms: number;
}

async function runRamp(kind: Kind): Promise<RampResult> {
  const port = await freePort();
  const server = await startServer(kind, port, path.join(tmp, `data-${kind}-ramp`));
  const gen = await startGenerator(server.url, kind);
  const perSessionRate = opts.rate / opts.sessions;
  const steps: RampStep[] = [];
  const t0 = performance.now();
  let stopReason = 'max sessions reached';
  // Finer first steps (a fifth and half of a step), then one step at a time.
  const targets = [...new Set([Math.round(opts.rampStep / 5), Math.round(opts.rampStep / 2)])].filter((n) => n >= 1 && n < opts.rampStep);
  // Each connection is a file descriptor in the server and in the generator: stay below the limit.
  const ulimit = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim();
  const fdLimit = ulimit === 'unlimited' ? Infinity : Number(ulimit) || 1024;
  const maxSessions = Math.min(opts.rampMaxSessions, Math.floor((fdLimit - 1000) / (opts.participants + 2)));
  if (maxSessions < opts.rampMaxSessions) log(`${kind} ramp: at most ${maxSessions} sessions (file descriptor limit ${fdLimit})`);
  for (let n = opts.rampStep; n <= maxSessions; n += opts.rampStep) targets.push(n);
  let have = 0;
  try {
    for (const want of targets) {
      const add = await addSessions(gen, want - have);
      have = add.sessions;
      if (add.failed) {
        stopReason = `setup failed at ${add.sessions + add.failed} sessions: ${add.errors[0]}`;
        break;
      }
      const rate = round(perSessionRate * add.sessions, 1);
      const stepArgs: LoadArgs = {
        label: `ramp ${add.sessions}`,
        rate,
        durationMs: opts.rampStepDuration * 1000,
        graceMs: Math.min(opts.grace, 5) * 1000,
        advancePhases: false,
      };
      const passes = (x: LoadResult) =>
        (x.fanout.p99 ?? Infinity) <= 100 && x.lost === 0 && x.ackTimeouts === 0 && Object.keys(x.refused).length === 0 && x.fanout.count > 0;
      let m = await measuredLoad(server, gen, kind, `${kind} ramp at ${add.sessions} sessions`, stepArgs);
      let confirmedFrom: number | null = null;
      if (!passes(m.result)) {
        // A step fails only if it fails twice: one stall of the machine should not end the ramp.
        confirmedFrom = m.result.fanout.p99;
        log(`${kind} ramp: ${add.sessions} sessions over the limit (p99 ${fmtMs(m.result.fanout.p99)}, lost ${m.result.lost}); measuring the step again`);
        await waitQuiet(server, kind, 20_000);
        m = await measuredLoad(server, gen, kind, `${kind} ramp at ${add.sessions} sessions`, stepArgs);
      }
      const r = m.result;
      const refused = Object.values(r.refused).reduce((a, b) => a + b, 0);
      const pass = passes(r);
      steps.push({
        sessions: add.sessions,
        connections: add.connections,
        rate,
        fanout: r.fanout,
        ackP99: r.ack.p99,
        lost: r.lost,
        ackTimeouts: r.ackTimeouts,
        refused,
        serverCpuPct: m.server.cpuAvgPct,
        serverRss: m.server.rssEnd,
        eventLoopDelayP99: m.server.eventLoopDelay?.p99 ?? null,
        generatorCpuPct: r.generator.cpuPct,
        generatorLoopDelayMax: r.generator.eventLoopDelayMax,
        generatorGcPauseMax: r.generator.gcPauseMaxMs,
        othersCores: m.machine?.othersCores ?? null,
        firstAttemptP99: confirmedFrom,
        pass,
      });
      log(`${kind} ramp: ${add.sessions} sessions / ${add.connections} connections @ ${rate}/s: p99 ${fmtMs(r.fanout.p99)}, lost ${r.lost}, server CPU ${m.server.cpuAvgPct}%, generator CPU ${r.generator.cpuPct}%${pass ? '' : '  ← over'}`);
      if (!pass) {
        stopReason = (r.fanout.p99 ?? Infinity) > 100 ? 'fan-out p99 over 100 ms' : r.lost ? 'deliveries lost' : 'acks refused or timed out';
        break;
      }
      if (performance.now() - t0 > opts.rampBudget * 1000) {
        stopReason = `time budget (${opts.rampBudget} s) used`;
        break;
      }
    }
  } finally {
    await gen.rpc.call('closeAll', {}, 60_000).catch(() => null);
    await stopProcess(gen);
    await stopProcess(server);
  }
  const passed = steps.filter((s) => s.pass).at(-1);
  return {
    kind,
    perSessionRate: round(perSessionRate, 3),
    steps,
    stopReason,
    held: passed ? { sessions: passed.sessions, connections: passed.connections } : null,
    ms: Math.round(performance.now() - t0),
  };
}

interface RestartFigures {
  signal: 'SIGKILL' | 'SIGTERM';
  /** Signal → the old process gone (SIGTERM: its graceful shutdown). */
  exitMs: number;
  /** Signal → /healthz answers again. */
  readyMs: number;
  /** New process spawned → /healthz answers. */
  startupMs: number;
  /** From the restarted process: ms after its start when the wrapper ran and when the server (main.js) had opened the store. */
  startup: { wrapperAtMs: number; mainLoadedAtMs: number | null } | null;
  clients: number;
  resynced: number;
  /** Signal → 99% / 100% of the clients have caught up (a fresh view, or a patch from their version). */
  resync99Ms: number | null;
  resync100Ms: number | null;
  resync99AfterReadyMs: number | null;
  /** Signal → 99% of the clients connected again (their back-off, and the server taking connections). */
  reconnect99Ms: number | null;
  /** Per client, its last reconnection attempt → caught up: what the server's work added to the wait. */
  settle: Summary;
  resyncedBy: { view: number; patch: number };
  refused: Record<string, number>;
  transientRefusals: number;
  unresolved: number;
  verdict: 'durable' | 'not durable yet' | 'incomplete';
}

interface RestartResult extends RestartFigures {
  sessions: number;
  dataDirFiles: number;
  /** The same with a graceful stop (SIGTERM), where no stale data-directory lock is left behind. */
  graceful: RestartFigures | null;
}

async function runRestart(): Promise<RestartResult> {
  const port = await freePort();
  const dataDir = path.join(tmp, 'data-restart');
  fs.mkdirSync(dataDir, { recursive: true });
  let server = await startServer('ours', port, dataDir);
  const gen = await startGenerator(server.url, 'ours', true);

  /** Stops the server with `signal`, starts it again on the same port and data, and watches the clients come back. */
  const bounce = async (signal: 'SIGKILL' | 'SIGTERM'): Promise<RestartFigures> => {
    await waitMachineQuiet(`the restart (${signal})`, [server.pid, gen.pid]);
    const { clients } = await gen.rpc.call('armRestart');
    await sleep(500);
    log(`restart: ${signal} with ${clients} clients live`);
    const tKill = Date.now();
    server.child.kill(signal);
    const killer = setTimeout(() => server.child.kill('SIGKILL'), 30_000);
    await server.exited;
    clearTimeout(killer);
    const tSpawn = Date.now();
    const p = spawnServer('ours', port, dataDir, path.join(tmp, `server-${++serverCount}-restarted.log`));
    server = { ...server, pid: p.pid, child: p.child, exited: p.exited, rpc: p.rpc };
    await waitHealthy(server.url, p.child);
    const tReady = Date.now();
    const startup = (await metricsOf(server).catch(() => null))?.startup ?? null;
    log(`restart: /healthz answers ${tReady - tKill} ms after ${signal} (old process gone after ${tSpawn - tKill} ms, new one ready ${tReady - tSpawn} ms after spawn); waiting for clients…`);
    let status: Answer<GeneratorApi, 'restartStatus'>;
    for (;;) {
      status = await gen.rpc.call('restartStatus');
      if (status.unresolved === 0 || Date.now() - tReady > opts.restartWait * 1000) break;
      await sleep(200);
    }
    const times = status.resyncedAt.sort((a, b) => a - b);
    // When 99% of all clients had got so far (of those that did, in time order), from the signal.
    const need99 = Math.ceil(status.total * 0.99);
    const at99 = (sorted: number[]) => (sorted.length >= need99 ? sorted[need99 - 1]! - tKill : null);
    const resync99Ms = at99(times);
    const resync100Ms = times.length === status.total ? times.at(-1)! - tKill : null;
    const reconnect99Ms = at99(status.reconnectedAt.sort((a, b) => a - b));
    const settle = summarize(status.settleMs);
    const verdict = (status.refused.NOT_FOUND ?? 0) > 0 ? 'not durable yet' : times.length === status.total ? 'durable' : 'incomplete';
    log(
      `restart: ${times.length}/${status.total} caught up (99% after ${fmtMs(resync99Ms)}; 99% connected after ${fmtMs(reconnect99Ms)}, ` +
        `last attempt → caught up p50 ${fmtMs(settle.p50)} p99 ${fmtMs(settle.p99)}), refused ${JSON.stringify(status.refused)} → ${verdict}`,
    );
    return {
      signal,
      exitMs: tSpawn - tKill,
      readyMs: tReady - tKill,
      startupMs: tReady - tSpawn,
      startup,
      clients: status.total,
      resynced: times.length,
      resync99Ms,
      resync100Ms,
      resync99AfterReadyMs: resync99Ms === null ? null : resync99Ms - (tReady - tKill),
      reconnect99Ms,
      settle,
      resyncedBy: status.resyncedBy,
      refused: status.refused,
      transientRefusals: status.transientRefusals,
      unresolved: status.unresolved,
      verdict,
    };
  };

  try {
    log(`restart: setting up ${opts.restartSessions} sessions with reconnecting clients…`);
    const add = await addSessions(gen, opts.restartSessions);
    if (add.sessions === 0) throw new Error(`restart: no session could be set up: ${add.errors.join('; ')}`);
    // A little history, so that there is something to load.
    await runLoad(gen, { label: 'restart warm-up', rate: Math.min(opts.rate, 200), durationMs: 2000, graceMs: 5000, advancePhases: false });
    const kill = await bounce('SIGKILL');
    const graceful = kill.verdict === 'durable' ? await bounce('SIGTERM').catch((error: unknown) => {
      log(`restart: SIGTERM round failed: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }) : null;
    return { ...kill, sessions: add.sessions, dataDirFiles: countFiles(dataDir), graceful };
  } finally {
    await gen.rpc.call('closeAll', {}, 60_000).catch(() => null);
    await stopProcess(gen);
    await stopProcess(server);
  }
}

function countFiles(dir: string): number {
  let n = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(path.join(d, e.name)) : n++;
  };
  if (fs.existsSync(dir)) walk(dir);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Report

interface Target {
  name: string;
  target: string;
  value: string;
  pass: boolean | null;
}

function machine() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const git = (args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  return {
    nproc: os.availableParallelism(),
    cpuModel: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown',
    ramBytes: os.totalmem(),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    pinned: canPin ? `server: taskset -c ${CORES.server}, generator: taskset -c ${CORES.generator}` : opts.pin ? 'not pinned (taskset or a second core missing)' : 'not pinned (--no-pin)',
    fdLimit: spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim(),
    commit: `${git(['rev-parse', '--short', 'HEAD'])}${git(['status', '--porcelain', '--', 'server', 'shared']) ? ' + uncommitted changes in server/ or shared/' : ''}`,
  };
}

function evaluate(r: Results): Target[] {
  const t: Target[] = [];
  const ours = r.ours;
  const bare = r.bare;
  const add = (name: string, target: string, value: string, pass: boolean | null) => t.push({ name, target, value, pass });
  if (ours) {
    const st = ours.steady.result;
    add('steady fan-out p99', '≤ 25 ms', fmtMs(st.fanout.p99), st.fanout.p99 !== null && st.fanout.p99 <= 25);
    const ratio = bare && st.fanout.p99 !== null && bare.steady.result.fanout.p99 ? st.fanout.p99 / bare.steady.result.fanout.p99 : null;
    add('steady fan-out p99 vs bare', '≤ 1.5×', ratio === null ? '—' : `${ratio.toFixed(2)}×`, ratio === null ? null : ratio <= 1.5);
    add('steady durable ack p99', '≤ 50 ms', fmtMs(st.ack.p99), st.ack.p99 !== null && st.ack.p99 <= 50 && st.ackTimeouts === 0);
    add('steady deliveries lost', '0', `${st.lost} of ${st.expectedReceipts}`, st.lost === 0 && st.expectedReceipts > 0);
    if (ours.burst) {
      const b = ours.burst.result;
      add('burst fan-out p99', '≤ 100 ms', fmtMs(b.fanout.p99), b.fanout.p99 !== null && b.fanout.p99 <= 100);
      add('burst deliveries lost', '0', `${b.lost} of ${b.expectedReceipts}`, b.lost === 0 && b.expectedReceipts > 0);
    }
    // RSS that fell instead of grew is noise (too few connections for the allocator's swings): no verdict.
    const mem = (name: string, limit: number, value: number | null) =>
      value !== null && add(name, `≤ ${fmtBytes(limit)}`, value < 0 ? `${fmtBytes(value)} (RSS fell: noise)` : fmtBytes(value), value < 0 ? null : value <= limit);
    mem('memory per idle connection', 30 * 1024, ours.memory.perIdleConnection);
    mem('memory per active session', 512 * 1024, ours.memory.perActiveSession);
  }
  if (r.oursRamp) {
    const held = r.oursRamp.held?.connections ?? 0;
    const capped = r.oursRamp.stopReason === 'max sessions reached' || r.oursRamp.stopReason.startsWith('time budget');
    add('connections held under 100 ms p99', '≥ 10,000', `${held.toLocaleString('en')} (${r.oursRamp.stopReason})`, held >= 10_000 ? true : capped ? null : false);
  }
  if (r.restart) {
    const rs = r.restart;
    add('restart: /healthz ready', '≤ 2 s', fmtMs(rs.readyMs), rs.readyMs <= 2000);
    add(
      'restart: 99% resynced after ready',
      '≤ 5 s',
      rs.verdict === 'not durable yet' ? 'not durable yet (sessions gone)' : fmtMs(rs.resync99AfterReadyMs),
      rs.resync99AfterReadyMs !== null && rs.resync99AfterReadyMs <= 5000,
    );
  }
  if (r.client && 'jsGzip' in r.client) {
    add('participant entry JS, gzipped', `≤ ${PARTICIPANT_JS_BUDGET / 1000} kB`, `${(r.client.jsGzip / 1000).toFixed(1)} kB`, r.client.jsGzip <= PARTICIPANT_JS_BUDGET);
    add(
      'participant chunks without facilitator/board code',
      'none found',
      r.client.separation.ok ? `none of ${r.client.separation.markers} markers` : `${r.client.separation.found.length} found`,
      r.client.separation.ok,
    );
  }
  return t;
}

/** What a run writes to its JSON file. */
export interface Results {
  version: 1;
  quick: boolean;
  startedAt: string;
  finishedAt: string;
  durationS: number;
  machine: ReturnType<typeof machine>;
  loadAverage: { start: number[]; end: number[] };
  options: Options;
  client: ClientWeight | { error: string } | null;
  ours: MainResult | null;
  bare: MainResult | null;
  oursRamp: RampResult | null;
  bareRamp: RampResult | null;
  restart: RestartResult | null;
  errors: string[];
  targets: Target[];
}

function pad(s: string, n: number) {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => pad(c, widths[i]!)).join('  ')).join('\n');
}

function printReport(r: Results): void {
  const o = r.ours;
  const b = r.bare;
  console.log(`\n=== Kollegium benchmark${r.quick ? ' (QUICK: smoke test, figures not comparable with the targets)' : ''} ===`);
  console.log(`${r.machine.nproc} × ${r.machine.cpuModel}, ${fmtBytes(r.machine.ramBytes)} RAM, ${r.machine.node}, ${r.machine.pinned}`);
  console.log(`load average at start ${r.loadAverage.start.map((x) => x.toFixed(2)).join(' ')}, at end ${r.loadAverage.end.map((x) => x.toFixed(2)).join(' ')}`);
  const lostText = (m: Measured<LoadResult>) =>
    `${m.result.lost} / ${m.result.expectedReceipts}${m.result.lost ? ` (${m.result.lateAfterGrace ?? '?'}, ${m.result.neverArrived ?? '?'})` : ''}`;
  const machineText = (m: Measured<LoadResult>) =>
    `${m.machine?.busyCores ?? '—'} / ${m.machine?.othersCores ?? '—'}${m.machine?.databaseCores !== undefined ? ` (database ${m.machine.databaseCores})` : ''}`;
  const genText = (m: Measured<LoadResult>) =>
    `${m.result.generator.cpuPct}%, ${fmtMs(m.result.generator.eventLoopDelayP99)} / ${fmtMs(m.result.generator.eventLoopDelayMax)}`;
  const loadRows = (label: string, pick: (m: MainResult) => Measured<LoadResult> | null) => {
    const mo = o && pick(o);
    const mb = b && pick(b);
    if (!mo && !mb) return [];
    const f = (m: Measured<LoadResult> | null | undefined, g: (x: Measured<LoadResult>) => string) => (m ? g(m) : '—');
    const lat = (k: 'p50' | 'p95' | 'p99' | 'max', which: 'fanout' | 'ack') =>
      [`${label} ${which === 'fanout' ? 'fan-out' : 'ack'} ${k}`, f(mo, (m) => fmtMs(m.result[which][k])), f(mb, (m) => fmtMs(m.result[which][k])), fmtRatio(mo?.result[which][k], mb?.result[which][k])];
    return [
      [`${label} rate sent`, f(mo, (m) => `${m.result.achievedRate}/s × ${m.result.durationMs / 1000} s`), f(mb, (m) => `${m.result.achievedRate}/s × ${m.result.durationMs / 1000} s`), ''],
      lat('p50', 'fanout'),
      lat('p95', 'fanout'),
      lat('p99', 'fanout'),
      lat('max', 'fanout'),
      lat('p50', 'ack'),
      lat('p99', 'ack'),
      [`${label} lost / expected (of the lost: came late, never)`, f(mo, lostText), f(mb, lostText), ''],
      [`${label} ack timeouts, refused`, f(mo, (m) => `${m.result.ackTimeouts}, ${JSON.stringify(m.result.refused)}`), f(mb, (m) => `${m.result.ackTimeouts}, ${JSON.stringify(m.result.refused)}`), ''],
      [`${label} server CPU avg / peak`, f(mo, (m) => `${m.server.cpuAvgPct}% / ${m.server.cpuPeakPct}%`), f(mb, (m) => `${m.server.cpuAvgPct}% / ${m.server.cpuPeakPct}%`), fmtRatio(mo?.server.cpuAvgPct, mb?.server.cpuAvgPct)],
      [`${label} server CPU: event loop / database thread`, f(mo, (m) => fmtThreads(m.server)), f(mb, (m) => fmtThreads(m.server)), fmtRatio(mo?.server.eventLoopAvgPct, mb?.server.eventLoopAvgPct)],
      [`${label} server RSS peak`, f(mo, (m) => fmtBytes(m.server.rssPeak)), f(mb, (m) => fmtBytes(m.server.rssPeak)), fmtRatio(mo?.server.rssPeak, mb?.server.rssPeak)],
      [`${label} server event-loop delay p99 / max`, f(mo, (m) => `${fmtMs(m.server.eventLoopDelay?.p99)} / ${fmtMs(m.server.eventLoopDelay?.max)}`), f(mb, (m) => `${fmtMs(m.server.eventLoopDelay?.p99)} / ${fmtMs(m.server.eventLoopDelay?.max)}`), ''],
      [`${label} machine busy / other processes (cores)`, f(mo, machineText), f(mb, machineText), ''],
      ...(mo?.allocations || mb?.allocations
        ? [[`${label} server allocated per contribution (sampled)`, f(mo, (m) => fmtBytes(m.allocations?.perContribution)), f(mb, (m) => fmtBytes(m.allocations?.perContribution)), fmtRatio(mo?.allocations?.perContribution, mb?.allocations?.perContribution)]]
        : []),
      [`${label} server GC pauses: longest / total`, f(mo, (m) => `${fmtMs(m.server.gcPauses?.maxMs)} / ${fmtMs(m.server.gcPauses?.totalMs)}`), f(mb, (m) => `${fmtMs(m.server.gcPauses?.maxMs)} / ${fmtMs(m.server.gcPauses?.totalMs)}`), ''],
      [`${label} generator CPU, loop delay p99 / max`, f(mo, genText), f(mb, genText), ''],
      [`${label} generator GC pauses: longest / total`, f(mo, (m) => `${fmtMs(m.result.generator.gcPauseMaxMs)} / ${fmtMs(m.result.generator.gcPauseTotalMs)}`), f(mb, (m) => `${fmtMs(m.result.generator.gcPauseMaxMs)} / ${fmtMs(m.result.generator.gcPauseTotalMs)}`), ''],
    ];
  };
  const rows: string[][] = [['figure', 'Kollegium', 'bare Socket.IO', 'ratio']];
  if (o || b) {
    const m = (x: MainResult | null, g: (x: MainResult) => string) => (x ? g(x) : '—');
    rows.push(['sessions / connections', m(o, (x) => `${x.setup.sessions} / ${x.setup.connections}`), m(b, (x) => `${x.setup.sessions} / ${x.setup.connections}`), '']);
    rows.push(['setup time (HTTP create + joins + connects)', m(o, (x) => fmtMs(x.setup.ms)), m(b, (x) => fmtMs(x.setup.ms)), fmtRatio(o?.setup.ms, b?.setup.ms)]);
    rows.push(['server RSS: empty / half / all connected / after steady', m(o, (x) => fmtRssPoints(x.memory)), m(b, (x) => fmtRssPoints(x.memory)), '']);
    rows.push(['memory per idle connection (RSS; heap)', m(o, (x) => `${fmtBytes(x.memory.perIdleConnection)}; ${fmtBytes(x.memory.perIdleConnectionHeap)}`), m(b, (x) => `${fmtBytes(x.memory.perIdleConnection)}; ${fmtBytes(x.memory.perIdleConnectionHeap)}`), fmtRatio(o?.memory.perIdleConnection, b?.memory.perIdleConnection)]);
    rows.push(['memory per active session (RSS; heap)', m(o, (x) => `${fmtBytes(x.memory.perActiveSession)}; ${fmtBytes(x.memory.perActiveSessionHeap)}`), m(b, (x) => `${fmtBytes(x.memory.perActiveSession)}; ${fmtBytes(x.memory.perActiveSessionHeap)}`), fmtRatio(o?.memory.perActiveSession, b?.memory.perActiveSession)]);
    rows.push(['memory per session with its connections (RSS)', m(o, (x) => fmtBytes(x.memory.perSessionWithConnections)), m(b, (x) => fmtBytes(x.memory.perSessionWithConnections)), fmtRatio(o?.memory.perSessionWithConnections, b?.memory.perSessionWithConnections)]);
    rows.push(...loadRows('steady', (x) => x.steady), ...loadRows('burst', (x) => x.burst));
  }
  const ramp = (x: RampResult | null) => (x ? `${x.held ? `${x.held.sessions} sessions / ${x.held.connections} conns` : 'none'} (${x.stopReason})` : '—');
  if (r.oursRamp || r.bareRamp)
    rows.push(['ramp: most held under p99 100 ms, nothing lost', ramp(r.oursRamp), ramp(r.bareRamp), fmtRatio(r.oursRamp?.held?.connections, r.bareRamp?.held?.connections)]);
  if (r.restart) {
    const rs = r.restart;
    rows.push(['restart: SIGKILL → /healthz (spawn → /healthz)', `${fmtMs(rs.readyMs)} (${fmtMs(rs.startupMs)})`, '', '']);
    if (rs.startup)
      rows.push(['restart: process start → wrapper → store open', `${fmtMs(rs.startup.wrapperAtMs)} → ${fmtMs(rs.startup.mainLoadedAtMs)}`, '', '']);
    rows.push(['restart: 99% / 100% resynced after SIGKILL', `${fmtMs(rs.resync99Ms)} / ${fmtMs(rs.resync100Ms)}`, '', '']);
    rows.push(['restart: 99% connected; last attempt → caught up p50 / p99', `${fmtMs(rs.reconnect99Ms)}; ${fmtMs(rs.settle.p50)} / ${fmtMs(rs.settle.p99)}`, '', '']);
    rows.push(['restart: resynced (by view / patch), refused', `${rs.resynced}/${rs.clients} (${rs.resyncedBy.view} / ${rs.resyncedBy.patch}), ${JSON.stringify(rs.refused)} → ${rs.verdict}`, '', '']);
    const g = rs.graceful;
    if (g) {
      rows.push(['graceful restart: SIGTERM → exit → /healthz', `${fmtMs(g.exitMs)} → ${fmtMs(g.readyMs)}`, '', '']);
      rows.push(['graceful restart: 99% / 100% resynced', `${fmtMs(g.resync99Ms)} / ${fmtMs(g.resync100Ms)} (${g.resynced}/${g.clients}, ${g.verdict})`, '', '']);
    }
  }
  if (r.client && 'jsGzip' in r.client)
    rows.push(['participant entry gzipped: JS + CSS', `${(r.client.jsGzip / 1000).toFixed(1)} kB + ${(r.client.cssGzip / 1000).toFixed(1)} kB (${r.client.files.filter((f) => f.role !== 'css' && !f.role.startsWith('locale')).length} chunks)`, '', '']);
  console.log(`\n${table(rows)}`);
  if (r.oursRamp || r.bareRamp) {
    const rr: string[][] = [['ramp', 'sessions', 'conns', 'rate/s', 'p50', 'p99', 'max', 'lost', 'server CPU', 'gen CPU']];
    for (const x of [r.oursRamp, r.bareRamp]) {
      for (const s of x?.steps ?? [])
        rr.push([x!.kind, String(s.sessions), String(s.connections), String(s.rate), fmtMs(s.fanout.p50), fmtMs(s.fanout.p99), fmtMs(s.fanout.max), String(s.lost), `${s.serverCpuPct}%`, `${s.generatorCpuPct}%`]);
    }
    console.log(`\n${table(rr)}`);
  }
  console.log(`\n${table([['target', 'goal', 'measured', ''], ...r.targets.map((t) => [t.name, t.target, t.value, t.pass === null ? 'n/a' : t.pass ? 'PASS' : 'MISS'])])}`);
  const disturbed: string[] = [];
  for (const [name, m] of [
    ['ours steady', o?.steady],
    ['ours burst', o?.burst],
    ['bare steady', b?.steady],
    ['bare burst', b?.burst],
  ] as const) {
    // The busiest others by name, when /proc saw them (not those that came and went in between).
    const top = m?.machine?.othersTop.length ? ` (${m.machine.othersTop.join(', ')})` : '';
    if (m?.machine && m.machine.othersCores > 0.1) disturbed.push(`${name}: ${m.machine.othersCores} cores${top}`);
    if (m?.discarded) disturbed.push(`${name}: a first attempt was discarded (others ${m.discarded.othersCores} cores, fan-out p99 ${fmtMs(m.discarded.fanoutP99)})`);
  }
  for (const x of [r.oursRamp, r.bareRamp])
    for (const s of x?.steps ?? []) if ((s.othersCores ?? 0) > 0.1) disturbed.push(`${x!.kind} ramp at ${s.sessions} sessions: ${s.othersCores} cores`);
  if (disturbed.length) console.log(`\nother processes used the machine during:\n  ${disturbed.join('\n  ')}`);
  if (o?.profile) {
    const [areas, ...rest] = describeParts(o.profile);
    console.log(`\nserver CPU profile (main thread, whole run, ${fmtMs(o.profile.totalMs)} busy): ${areas}\n  ${rest.join('\n  ')}`);
  }
  for (const [name, a] of [['our', o?.steady.allocations], ['the bare', b?.steady.allocations]] as const) {
    if (!a) continue;
    const [areas, ...rest] = describeParts(a);
    console.log(`\n${name} server's allocations in the steady run (sampled, ${fmtBytes(a.bytes)}, ${fmtBytes(a.perContribution)} per contribution): ${areas}`);
    console.log(`  ${[...rest, `profile: ${path.relative(ROOT, a.file)}`].join('\n  ')}`);
  }
  if (r.errors.length) console.log(`\nerrors:\n  ${r.errors.join('\n  ')}`);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const results: Results = {
    version: 1,
    quick: opts.quick,
    startedAt: started.toISOString(),
    finishedAt: '',
    durationS: 0,
    machine: machine(),
    loadAverage: { start: os.loadavg().map((x) => round(x)), end: [] },
    options: opts,
    client: null,
    ours: null,
    bare: null,
    oursRamp: null,
    bareRamp: null,
    restart: null,
    errors: [],
    targets: [],
  };
  log(`Kollegium benchmark${opts.quick ? ' (quick)' : ''}: ${results.machine.nproc} × ${results.machine.cpuModel}; ${results.machine.pinned}; fd limit ${results.machine.fdLimit}; load average ${results.loadAverage.start.join(' ')}`);
  const attempt = async <T>(name: string, fn: () => Promise<T>): Promise<T | null> => {
    try {
      return await fn();
    } catch (error) {
      const message = `${name}: ${error instanceof Error ? error.message : String(error)}`;
      console.error(`  ✗ ${message}`);
      results.errors.push(message);
      killAll();
      return null;
    }
  };

  if (!opts.skip.includes('client')) {
    if (opts.build) {
      log('building the client (npm run build -w client)…');
      const build = spawnSync('npm', ['run', 'build', '-w', 'client'], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
      if (build.status !== 0) results.errors.push(`client build failed: ${(build.stderr || build.stdout).split('\n').slice(-5).join(' ')}`);
    } else {
      log(`--no-build: weighing client/dist, ${builtAt(path.join(ROOT, 'client/dist/index.html'))}`);
    }
    try {
      results.client = measureClientWeight();
      log(describeClientWeight(results.client));
    } catch (error) {
      results.client = { error: error instanceof Error ? error.message : String(error) };
      results.errors.push(`client weight: ${results.client.error}`);
    }
  }

  const want = (part: string) => !opts.skip.includes(part);
  if (want('ours') || want('bare')) await prepareServers();
  if (want('ours')) {
    if (want('main')) results.ours = await attempt('ours', () => runMain('ours'));
    if (want('ramp')) results.oursRamp = await attempt('ours ramp', () => runRamp('ours'));
    if (want('restart')) results.restart = await attempt('restart', () => runRestart());
  }
  if (want('bare')) {
    if (want('main')) results.bare = await attempt('bare', () => runMain('bare'));
    if (want('ramp')) results.bareRamp = await attempt('bare ramp', () => runRamp('bare'));
  }

  results.loadAverage.end = os.loadavg().map((x) => round(x));
  results.finishedAt = new Date().toISOString();
  results.durationS = Math.round((Date.now() - started.getTime()) / 1000);
  results.targets = evaluate(results);
  printReport(results);

  const out = opts.out ?? path.join(RESULTS, opts.quick ? 'quick.json' : 'latest.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  const chart = opts.quick || opts.out ? out.replace(/(\.json)?$/, '.svg') : path.join(RESULTS, 'chart.svg');
  fs.writeFileSync(chart, renderChart(results as never));
  log(`wrote ${path.relative(ROOT, out)} and the chart in ${results.durationS} s`);
}

/** Drops the schemas our servers had on Postgres (--store=postgres). */
async function dropBenchSchemas(): Promise<void> {
  if (benchSchemas.size === 0) return;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: opts.databaseUrl });
  await client.connect();
  try {
    for (const schema of benchSchemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

main().then(
  async () => {
    await dropBenchSchemas().catch((error: unknown) => console.error(`could not drop the benchmark's schemas: ${String(error)}`));
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
