/**
 * Command-line options of `npm run bench` (node:util parseArgs). The root script forwards its
 * arguments (`npm run bench -- --quick --sessions=50`), as does `npm run bench -w tests -- …`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** Parts a run can leave out (--skip). */
export const SKIPPABLE = ['ours', 'bare', 'main', 'burst', 'ramp', 'restart', 'client'];

export interface Options {
  quick: boolean;
  sessions: number;
  participants: number;
  /** Contributions per second over all sessions (steady scenario). */
  rate: number;
  /** Seconds of the steady scenario. */
  duration: number;
  burstRate: number;
  burstDuration: number;
  /** Seconds to wait for late receipts after the last send before counting them lost. */
  grace: number;
  rampStep: number;
  rampStepDuration: number;
  rampMaxSessions: number;
  /** Seconds the ramp may take in all (it stops at the step that passes it). */
  rampBudget: number;
  restartSessions: number;
  restartWait: number;
  skip: string[];
  build: boolean;
  profile: boolean;
  /** Sample both servers' allocations (V8's sampling heap profiler) over the steady run. */
  allocations: boolean;
  /** Extra node flags for the server processes (diagnosis, e.g. --trace-gc). */
  serverNodeFlags: string;
  /** Extra node flags for the load generator (diagnosis). */
  generatorNodeFlags: string;
  /** Keep the servers' logs (and data directories) instead of deleting them at the end. */
  keepLogs: boolean;
  /** Before each scenario, wait (up to 10 minutes in all) until other processes leave the machine idle. */
  waitQuiet: boolean;
  /** Server and generator each on their own half of the cores (taskset); off, the OS places them. */
  pin: boolean;
  /** Our server's store: the embedded default (PGlite in a fresh data directory) or a Postgres server. */
  store: 'pglite' | 'postgres';
  /** With store=postgres: the server to use (each server process gets a schema of its own). */
  databaseUrl: string;
  out: string | null;
}

const FULL: Options = {
  quick: false,
  sessions: 200,
  participants: 25,
  rate: 500,
  duration: 30,
  burstRate: 1500,
  burstDuration: 10,
  grace: 10,
  rampStep: 50,
  rampStepDuration: 6,
  rampMaxSessions: 600,
  rampBudget: 150,
  restartSessions: 200,
  restartWait: 30,
  skip: [],
  build: true,
  profile: false,
  allocations: false,
  serverNodeFlags: '',
  generatorNodeFlags: '',
  keepLogs: false,
  waitQuiet: true,
  pin: true,
  store: 'pglite',
  databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  out: null,
};

const QUICK: Partial<Options> = {
  sessions: 4,
  participants: 5,
  rate: 40,
  duration: 4,
  burstRate: 120,
  burstDuration: 2,
  grace: 4,
  rampStep: 3,
  rampStepDuration: 2,
  rampMaxSessions: 9,
  rampBudget: 30,
  restartSessions: 4,
  restartWait: 15,
};

export const HELP = `npm run bench [-- options]

  --quick                 a few sessions, a few seconds per scenario (smoke test)
  --sessions=N            sessions in the steady and burst scenarios (default 200)
  --participants=N        participants per session, besides a facilitator and a board (25)
  --rate=N                contributions per second over all sessions (500)
  --duration=S            seconds of steady load (30)
  --burst-rate=N          contributions per second in the burst (1500)
  --burst-duration=S      seconds of burst (10)
  --grace=S               wait for late receipts before counting them lost (10)
  --ramp-step=N           sessions added per ramp step (50)
  --ramp-step-duration=S  seconds of load per ramp step (6)
  --ramp-max-sessions=N   the ramp stops here (600)
  --ramp-budget=S         the ramp stops after the step that passes this many seconds (150)
  --restart-sessions=N    live sessions when the server is killed (200)
  --restart-wait=S        how long clients get to resync after the restart (30)
  --skip=a,b              leave out parts: ${SKIPPABLE.join(', ')} (main: steady + burst)
  --no-build              do not build the client and the server first (npm run build -w client / -w server)
  --profile               write a CPU profile of our server (node --cpu-prof) in the steady+burst run
  --allocations           sample both servers' allocations over the steady run: bytes per contribution, top sites
  --no-wait-quiet         do not wait for other processes to leave the machine idle before each scenario
  --no-pin                do not pin the server and the generator to their halves of the cores: the
                          server's database thread may then run beside its event loop, on any core
  --server-node-flags=".."     extra node flags for the server processes; values that start with -
                               go after = (--server-node-flags=--trace-gc)
  --generator-node-flags=".."  the same for the load generator
  --store=postgres        our server on a Postgres server instead of the embedded PGlite (default pglite)
  --database-url=URL      the Postgres for --store=postgres (TEST_DATABASE_URL, or the local one)
  --keep-logs             keep the servers' logs and data directories (their path is printed)
  --out=FILE              where to write the JSON, and the chart beside it; relative to the repository
                          (default tests/bench/results/latest.json; quick: …/quick.json)
`;

/** A bad command line: the message says what, and `npm run bench -- --help` lists the options. */
export class OptionsError extends Error {}

const flagOf = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const KEYS = Object.keys(FULL) as (keyof Options)[];
/** Options that count things: whole numbers only. */
const COUNTS = new Set<keyof Options>(['sessions', 'participants', 'rampStep', 'rampMaxSessions', 'restartSessions']);
const SPEC = Object.fromEntries([
  ['help', { type: 'boolean' }],
  ...KEYS.map((key) => [flagOf(key), { type: typeof FULL[key] === 'boolean' ? 'boolean' : 'string', multiple: key === 'skip' }]),
]) as Record<string, { type: 'boolean' | 'string'; multiple: boolean }>;

/** The repository: a relative --out is taken from here, wherever npm was started. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The options of a command line, or 'help'. Booleans also take a `--no-` form (`--no-build`). */
export function parseOptions(argv = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Options | 'help' {
  // `npm run bench --quick` (no `--`) hands the flag to npm, which passes it on only as a variable
  // (`--no-build` as npm_config_build=''): say what to type instead.
  for (const key of KEYS) {
    const value = env[`npm_config_${flagOf(key).replace(/-/g, '_')}`];
    if (value === undefined) continue;
    const meant = typeof FULL[key] !== 'boolean' ? `--${flagOf(key)}=${value}` : value === 'true' ? `--${flagOf(key)}` : `--no-${flagOf(key)}`;
    throw new OptionsError(`${meant} went to npm, not to the benchmark: put options after \`--\` (npm run bench -- ${meant})`);
  }
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: SPEC, strict: true, allowPositionals: false, allowNegative: true }));
  } catch (error) {
    throw new OptionsError((error as Error).message);
  }
  if (values.help) return 'help';
  const quick = values.quick === true;
  const options: Options = { ...FULL, ...(quick ? QUICK : {}), quick };
  const set = options as unknown as Record<string, unknown>;
  for (const key of KEYS) {
    const value = values[flagOf(key)];
    if (value === undefined || key === 'quick') continue;
    const current = FULL[key];
    if (typeof current === 'number') {
      const n = Number(value);
      const whole = COUNTS.has(key);
      if (String(value).trim() === '' || !Number.isFinite(n) || n < 0 || (whole && !Number.isInteger(n)))
        throw new OptionsError(`--${flagOf(key)} needs ${whole ? 'a whole number' : 'a number'} of 0 or more, got "${String(value)}"`);
      set[key] = n;
    } else if (Array.isArray(current)) set[key] = (value as string[]).flatMap((v) => v.split(',')).filter(Boolean);
    else set[key] = value;
  }
  if (options.store !== 'pglite' && options.store !== 'postgres') throw new OptionsError(`--store is pglite or postgres, got "${options.store}"`);
  const unknown = options.skip.filter((part) => !SKIPPABLE.includes(part));
  if (unknown.length > 0) throw new OptionsError(`--skip takes ${SKIPPABLE.join(', ')}; got ${unknown.join(', ')}`);
  if (options.out !== null) {
    if (options.out.trim() === '') throw new OptionsError('--out needs a file name');
    options.out = path.resolve(ROOT, options.out);
  }
  return options;
}
