import { Worker } from 'node:worker_threads';
import type { Db, Prepared, Queryable, QueryOptions } from './db.js';
import type { PgliteDirectory } from './pglite-db.js';

/**
 * PGlite in a thread of its own. Postgres in WebAssembly runs synchronously on whatever thread
 * calls it, about a millisecond per commit, and a checkpoint or a VACUUM for tens to hundreds of
 * milliseconds; on the event loop every socket of every round waited meanwhile. In a worker
 * thread it runs beside the event loop, on another core where there is one. The database, its
 * syncs to disk and its checkpoints (pglite-db.ts) are the same code as before, behind messages.
 */

/** What the event loop asks of the database thread; `tx` names an open transaction. */
export type Call =
  | { op: 'query'; sql: string; params: readonly unknown[]; options: QueryOptions; tx: number | null }
  | { op: 'exec'; sql: string; tx: number | null }
  | { op: 'batch'; statements: readonly Prepared[] }
  /** Opens a transaction and answers its number once inside it. */
  | { op: 'begin' }
  /** Commits (or rolls back) a transaction and answers once that is done and on disk. */
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'maintain' }
  | { op: 'close' };

export type Request = Call & { id: number };

/** An error as it crosses the thread: what callers look at (`code` of Postgres errors) survives. */
export interface ErrorData {
  name: string;
  message: string;
  stack: string | undefined;
  fields: Record<string, string | number | boolean | null>;
}

/** The answer to request `id`; id 0 answers the opening of the database. */
export type Reply = { id: number; result: unknown } | { id: number; error: ErrorData };

export function errorData(error: unknown): ErrorData {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), stack: undefined, fields: {} };
  const fields: ErrorData['fields'] = {};
  for (const [key, value] of Object.entries(error)) {
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
  }
  return { name: error.name, message: error.message, stack: error.stack, fields };
}

function toError({ name, message, stack, fields }: ErrorData): Error {
  const error = Object.assign(new Error(message), fields);
  error.name = name;
  if (stack) error.stack = stack;
  return error;
}

/** The worker's module: the bundle's sibling in production, the TypeScript source through tsx otherwise. */
const WORKER = import.meta.url.endsWith('.ts') ? new URL('./pglite-worker.dev.mjs', import.meta.url) : new URL('./pglite-worker.js', import.meta.url);

/**
 * Opens the database in `dir` in a new worker thread and answers for it; `afterClose` runs once
 * the thread is gone after `close` (the data-directory lock's release). If the thread ends on
 * its own — it does when Postgres aborts (see pglite-worker.ts), or runs out of memory — every
 * call fails and the process stops: a server whose database is gone should be restarted, and a
 * restart recovers from the log.
 */
export function openDatabaseThread(dir: PgliteDirectory, afterClose: () => Promise<void>): Promise<Db> {
  const worker = new Worker(WORKER, { workerData: dir, name: 'pglite' });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let stopped: Error | null = null;
  let closing: Promise<void> | null = null;

  const stop = (error: Error) => {
    if (stopped) return;
    stopped = error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
    if (!closing) process.nextTick(() => {
      throw error;
    });
  };
  worker.on('message', (reply: Reply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if ('error' in reply) waiting.reject(toError(reply.error));
    else waiting.resolve(reply.result);
    // An idle database thread does not keep the process alive, as the database on the main thread did not.
    if (pending.size === 0) worker.unref();
  });
  worker.on('error', (error) => stop(error));
  worker.on('exit', (code) => stop(new Error(`The database thread stopped (exit code ${code}).`)));

  const call = <T>(request: Call): Promise<T> => {
    if (stopped) return Promise.reject(stopped);
    const id = nextId++;
    if (pending.size === 0) worker.ref();
    return new Promise<T>((resolve, reject) => {
      try {
        worker.postMessage({ ...request, id } satisfies Request);
      } catch (error) {
        // A parameter that cannot be copied to the thread: this call fails, nothing else.
        if (pending.size === 0) worker.unref();
        return reject(error);
      }
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
  };

  const on = (tx: number | null): Queryable => ({
    query: (sql, params = [], options = {}) => call({ op: 'query', sql, params, options, tx }),
    exec: (sql) => call({ op: 'exec', sql, tx }),
  });

  const db: Db = {
    ...on(null),
    batch: (statements) => call({ op: 'batch', statements }),
    async transaction(fn) {
      const tx = await call<number>({ op: 'begin' });
      let result;
      try {
        result = await fn(on(tx));
      } catch (error) {
        await call({ op: 'end', tx, commit: false }).catch(() => undefined);
        throw error;
      }
      await call({ op: 'end', tx, commit: true });
      return result;
    },
    // One thread, one connection: every caller already shares it.
    connection: (fn) => fn(db),
    maintain: () => call({ op: 'maintain' }),
    close() {
      closing ??= (async () => {
        try {
          if (!stopped) await call({ op: 'close' });
        } finally {
          await worker.terminate();
          await afterClose();
        }
      })();
      return closing;
    },
  };

  // Request 0: the database is open (or could not be opened).
  return new Promise<Db>((resolve, reject) => {
    pending.set(0, {
      resolve: () => resolve(db),
      reject: (error) => {
        // The caller releases the lock once this rejects: the thread is gone by then.
        closing = worker.terminate().then(() => undefined);
        void closing.finally(() => reject(error));
      },
    });
  });
}
