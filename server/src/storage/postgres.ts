import pg from 'pg';
import type { Db, Prepared, Queryable, QueryOptions, Row } from './db.js';

export interface PostgresOptions {
  connectionString: string;
  /** Schema for every connection's search_path (tests use one per run); default: the server's. */
  schema?: string;
  /** Errors of idle pooled connections (server restart, network); the next query fails anew. */
  onError?: (error: Error) => void;
  max?: number;
}

export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A Db over a node-postgres pool: any number of processes may share one database. */
export function postgresDb(options: PostgresOptions): Db {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new Error(`Invalid schema name “${options.schema}”: use lower-case letters, digits and _.`);
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    // The schema is put first on the search_path at connect, so the same unqualified SQL works
    // for every schema; public stays behind it for extensions.
    ...(options.schema ? { options: `-c search_path=${options.schema},public` } : {}),
  });
  // Without a listener an idle connection's error would crash the process.
  pool.on('error', (error) => options.onError?.(error));

  const over = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<R extends Row>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}) {
      // node-postgres prepares a named statement once per connection.
      const config = options.prepare ? { name: options.prepare, text: sql, values: params as unknown[] } : { text: sql, values: params as unknown[] };
      return (await client.query<R>(config)).rows;
    },
    async exec(sql: string) {
      // Without parameters node-postgres uses the simple protocol, which runs several statements.
      await client.query(sql);
    },
  });

  /** `onBroken` hears when even ROLLBACK failed: the connection is not fit for reuse. */
  async function inTransaction<T>(client: pg.PoolClient, fn: (tx: Queryable) => Promise<T>, onBroken = () => {}): Promise<T> {
    await client.query('BEGIN');
    try {
      const result = await fn(over(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(onBroken);
      throw error;
    }
  }

  /** A Db bound to one checked-out client (for `connection`). */
  const bound = (client: pg.PoolClient): Db => ({
    ...over(client),
    batch: (statements) => inTransaction(client, (tx) => batch(tx, statements)),
    transaction: (fn) => inTransaction(client, fn),
    connection: (fn) => fn(bound(client)),
    maintain: async () => {},
    close: async () => {},
  });

  const batch = async (tx: Queryable, statements: readonly Prepared[]) => {
    const results: Row[][] = [];
    for (const { name, sql, params } of statements) results.push(await tx.query(sql, params, { prepare: name }));
    return results;
  };

  return {
    ...over(pool),
    async batch(statements) {
      return this.transaction((tx) => batch(tx, statements));
    },
    async transaction(fn) {
      const client = await pool.connect();
      let broken = false;
      try {
        return await inTransaction(client, fn, () => (broken = true));
      } finally {
        // A connection whose ROLLBACK failed must not go back into the pool.
        client.release(broken);
      }
    },
    async connection(fn) {
      const client = await pool.connect();
      let failed = false;
      try {
        return await fn(bound(client));
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        // After a failure the connection may still hold session state (a lock, an open
        // transaction): drop it rather than hand it to the next caller.
        client.release(failed);
      }
    },
    // The server's autovacuum keeps tables and statistics in shape.
    async maintain() {},
    async close() {
      await pool.end();
    },
  };
}
