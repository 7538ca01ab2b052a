import type { Db } from './db.js';
import { migrate } from './migrate.js';
import { pgliteDb, type PgliteOptions } from './pglite.js';
import { postgresDb } from './postgres.js';
import { SqlStore } from './sql-store.js';

export interface OpenStoreOptions {
  /** Postgres to share between processes; without it, PGlite in `dataDir` (one process). */
  databaseUrl?: string | undefined;
  /** The server's data directory (PGlite only). */
  dataDir: string;
  /** Postgres only: a schema to keep the tables in (created if missing); default: search_path's. */
  schema?: string | undefined;
  /** Postgres only: errors of idle pooled connections. */
  onError?: (error: Error) => void;
  /** PGlite only: data-directory lock tuning (see PgliteOptions). */
  lock?: Pick<PgliteOptions, 'staleLockMs' | 'lockWaitMs' | 'onLockCompromised'>;
}

/** Opens the durable store — Postgres when a URL is given, else PGlite on disk — and migrates it. */
export async function openStore(options: OpenStoreOptions): Promise<SqlStore> {
  let db: Db;
  let lockKey = 'kollegium:migrate';
  if (options.databaseUrl) {
    db = postgresDb({
      connectionString: options.databaseUrl,
      ...(options.schema ? { schema: options.schema } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    });
    if (options.schema) lockKey += `:${options.schema}`;
  } else {
    db = await pgliteDb({ dataDir: options.dataDir, ...options.lock });
  }
  try {
    await migrate(db, { lockKey, ...(options.databaseUrl && options.schema ? { schema: options.schema } : {}) });
  } catch (error) {
    await db.close();
    throw error;
  }
  return new SqlStore(db);
}

export { SqlStore } from './sql-store.js';
export { migrate, MIGRATIONS_DIR } from './migrate.js';
export { DataDirLocked, pgliteDb, type PgliteOptions } from './pglite.js';
export { postgresDb, type PostgresOptions } from './postgres.js';
export type { Db, Queryable, Row } from './db.js';
export { PROJECTION_TABLES, SESSION_TABLES, TOUCHES, type ProjectionTable } from './projections.js';
export { VersionConflict } from '../sessions/store.js';
