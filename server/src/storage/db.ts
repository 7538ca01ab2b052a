/**
 * The one interface the SQL store talks to, so PGlite and node-postgres run the same SQL.
 * Values come back as the drivers parse them: the SQL casts whatever it reads to types both
 * parse alike (integer, float8, text, boolean, jsonb) — never bigint, numeric or timestamps.
 */
export type Row = Record<string, unknown>;

export interface QueryOptions {
  /**
   * Keep the statement prepared under this name and reuse its plan: for statements run often
   * whose planning costs more than running them. One name, one SQL text, always.
   */
  prepare?: string;
}

export interface Queryable {
  /** One statement, $1… parameters; the result rows (use RETURNING to learn what a write hit). */
  query<R extends Row = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<R[]>;
  /** A script of several statements, without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** One statement of a batch: always prepared, under its name. */
export interface Prepared {
  name: string;
  sql: string;
  params: readonly unknown[];
}

export interface Db extends Queryable {
  /**
   * Runs prepared statements as one transaction (all or nothing) and returns each one's rows; in
   * one round trip where the driver can (PGlite: together with what its sync to disk needs).
   */
  batch(statements: readonly Prepared[]): Promise<Row[][]>;
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` on one connection held for its whole duration, for session-level state such as
   * advisory locks. Its queries are not in a transaction unless `fn` opens one.
   */
  connection<T>(fn: (conn: Db) => Promise<T>): Promise<T>;
  /**
   * Housekeeping the database does not do by itself: PGlite runs without autovacuum, so it
   * vacuums and analyzes here (dead rows of updated tables, statistics for plans); a Postgres
   * server's autovacuum does this already.
   */
  maintain(): Promise<void>;
  close(): Promise<void>;
}

/** Postgres' "unique_violation", as both drivers report it in `error.code`. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}
