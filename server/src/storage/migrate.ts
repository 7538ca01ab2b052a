import fs from 'node:fs/promises';
import path from 'node:path';
import type { RunnableMigration, UmzugStorage } from 'umzug';
import type { Db, Queryable } from './db.js';
import { SERVER_DIR } from '../paths.js';
import { SCHEMA_NAME } from './postgres.js';

/** server/migrations: NNNN_name.sql, applied in name order, forward only. */
export const MIGRATIONS_DIR = path.join(SERVER_DIR, 'migrations');

/** Umzug's record of applied migrations, kept in the database it migrates (same transaction). */
const tableStorage: UmzugStorage<Queryable> = {
  async executed({ context }) {
    const rows = await context.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    return rows.map((row) => row.name);
  },
  async logMigration({ name, context }) {
    await context.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
  },
  async unlogMigration({ name, context }) {
    await context.query('DELETE FROM schema_migrations WHERE name = $1', [name]);
  },
};

async function sqlMigrations(dir: string): Promise<RunnableMigration<Queryable>[]> {
  const files = (await fs.readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await fs.readFile(path.join(dir, file), 'utf8');
      return { name: file.slice(0, -'.sql'.length), path: path.join(dir, file), up: ({ context }) => context.exec(sql) };
    }),
  );
}

/**
 * Brings the schema up to date; returns the names of the migrations it applied.
 *
 * `schema` (checked to be a plain identifier) is created first when missing.
 * Processes starting at once take turns on an advisory lock (keyed by `lockKey`, so schemas of
 * one database don't wait for each other): the second sees the first's work and applies nothing.
 * All pending migrations and their records run in ONE transaction — Postgres DDL is
 * transactional — so a failed migration leaves the schema as it was, never half-applied.
 */
export async function migrate(
  db: Db,
  { lockKey = 'kollegium:migrate', dir = MIGRATIONS_DIR, schema }: { lockKey?: string; dir?: string; schema?: string } = {},
): Promise<string[]> {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`Invalid schema name “${schema}”.`);
  const migrations = await sqlMigrations(dir);
  // Every start but the first finds nothing to do: then neither the lock nor umzug (~130 ms to
  // load) is needed. Safe without the lock: migrations are only ever added, and each is recorded
  // in the transaction that applies it.
  if (await allApplied(db, migrations, schema)) return [];
  const { Umzug } = await import('umzug');
  return db.connection(async (conn) => {
    await conn.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    let applied: string[];
    try {
      applied = await conn.transaction(async (tx) => {
        // Inside the lock: two processes creating the same schema at once would collide.
        if (schema) await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        await tx.exec(
          'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
        );
        const umzug = new Umzug<Queryable>({ migrations, context: tx, storage: tableStorage, logger: undefined });
        return (await umzug.up()).map((migration) => migration.name);
      });
    } catch (error) {
      // A failed `connection` discards its connection, and the lock with it.
      await conn.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => undefined);
      throw error;
    }
    await conn.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
    return applied;
  });
}

async function allApplied(db: Db, migrations: RunnableMigration<Queryable>[], schema: string | undefined): Promise<boolean> {
  // In the given schema, not whichever the search path finds first (it may not exist yet).
  const table = schema ? `${schema}.schema_migrations` : 'schema_migrations';
  const [found] = await db.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [table]);
  if (!found?.present) return false;
  const applied = new Set((await db.query<{ name: string }>(`SELECT name FROM ${table}`)).map((row) => row.name));
  return migrations.every((migration) => applied.has(migration.name));
}
