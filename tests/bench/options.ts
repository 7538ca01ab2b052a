/**
 * Command-line options of `npm run bench`. Because the root script forwards through
 * `npm run bench -w tests`, npm swallows unknown `--flags` and turns them into
 * `npm_config_<flag>` environment variables; both forms are read here.
 *
 *   npm run bench -- --quick --sessions=50        (from the root: use `=` for values)
 *   npm run bench -w tests -- --sessions 50       (from anywhere: real argv)
 */

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

const HELP = `npm run bench [-- options]

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
  --skip=a,b              leave out parts: ours, bare, main (steady + burst), burst, ramp, restart, client
  --no-build              do not build the client and the server first (npm run build -w client / -w server)
  --profile               write a CPU profile of our server (node --cpu-prof) in the steady+burst run
  --allocations           sample both servers' allocations over the steady run: bytes per contribution, top sites
  --server-node-flags=".."  extra node flags for the server processes (e.g. --trace-gc)
  --wait-quiet=false      do not wait for other processes to leave the machine idle before each scenario
  --generator-node-flags=".."  the same for the load generator
  --store=postgres        our server on a Postgres server instead of the embedded PGlite (default pglite)
  --database-url=URL      the Postgres for --store=postgres (TEST_DATABASE_URL, or the local one)
  --keep-logs             keep the servers' logs and data directories (their path is printed)
  --out=FILE              where to write the JSON (default results/latest.json; quick: results/quick.json)
`;

const camel = (flag: string) => flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

export function parseOptions(argv = process.argv.slice(2), env = process.env): Options {
  const raw = new Map<string, string>();
  // npm_config_* first, real argv wins.
  for (const key of Object.keys(FULL).concat(['help', 'no-build'])) {
    const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/-/g, '_');
    const value = env[`npm_config_${snake}`];
    if (value !== undefined && value !== '') raw.set(key, value);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    const name = camel(arg.slice(2, eq > 0 ? eq : undefined));
    let value = eq > 0 ? arg.slice(eq + 1) : 'true';
    if (eq < 0 && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--') && typeof FULL[name as keyof Options] !== 'boolean') {
      value = argv[++i]!;
    }
    raw.set(name, value);
  }
  if (raw.has('help')) {
    console.log(HELP);
    process.exit(0);
  }
  if (raw.has('noBuild') || raw.has('no-build')) raw.set('build', 'false');
  const quick = ['true', '1', ''].includes(raw.get('quick') ?? 'no');
  const options: Options = { ...FULL, ...(quick ? QUICK : {}), quick };
  for (const [name, value] of raw) {
    if (name === 'quick' || name === 'noBuild' || name === 'no-build') continue;
    if (!(name in FULL)) {
      console.error(`unknown option --${name}\n\n${HELP}`);
      process.exit(2);
    }
    const key = name as keyof Options;
    const current = FULL[key];
    if (typeof current === 'boolean') (options as unknown as Record<string, unknown>)[key] = value !== 'false';
    else if (typeof current === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) {
        console.error(`--${name} needs a number, got ${value}`);
        process.exit(2);
      }
      (options as unknown as Record<string, unknown>)[key] = n;
    } else if (Array.isArray(current)) (options as unknown as Record<string, unknown>)[key] = value.split(',').filter(Boolean);
    else (options as unknown as Record<string, unknown>)[key] = value;
  }
  if (options.store !== 'pglite' && options.store !== 'postgres') {
    console.error(`--store is pglite or postgres, got ${String(options.store)}`);
    process.exit(2);
  }
  return options;
}
