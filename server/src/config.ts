import path from 'node:path';
import { z } from 'zod';
import { SERVER_DIR } from './paths.js';

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** Where the built client lives; the server serves it when present. */
  CLIENT_DIR: z.string().default(path.resolve(SERVER_DIR, '../client/dist')),
  /** Postgres for production and for several processes; without it, the embedded PGlite. */
  DATABASE_URL: z.string().optional(),
  /** Redis for several server processes behind a load balancer (Socket.IO's Redis Streams adapter). */
  REDIS_URL: z.string().optional(),
  /** Postgres only: the schema for Kollegium's tables (created if missing); default: the search path's. */
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/).optional(),
  /** Where the embedded database keeps its files. */
  DATA_DIR: z.string().default(path.resolve(SERVER_DIR, '../data')),
  /** Sessions with no activity for this many days are deleted with all their data; 0 keeps them. */
  RETENTION_DAYS: z.coerce.number().min(0).default(30),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The address people use, e.g. https://kollegium.example.org; browsers from other origins are refused. */
  PUBLIC_URL: z.url().optional(),
  /** Behind a reverse proxy: Express's `trust proxy` (e.g. `loopback` or a hop count), for client addresses. */
  TRUST_PROXY: z.string().default('false'),
  /** Join-code look-ups and joins per client address per minute. */
  JOIN_RATE_LIMIT: z.coerce.number().int().min(1).default(120),
  /** Commands one connection may send per 10 seconds. */
  COMMAND_RATE_LIMIT: z.coerce.number().int().min(1).default(50),
});

export type Config = z.infer<typeof Env>;

/** `TRUST_PROXY` as Express understands it: false, a hop count, or addresses/names. */
export function trustProxy(value: string): boolean | number | string {
  if (value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** Reads the environment once at start; a bad value stops the server with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}
