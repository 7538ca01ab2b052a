/**
 * The database thread (see pglite-thread.ts): opens PGlite in the directory it is given and
 * answers the event loop's calls, one message each. PGlite runs them one at a time in the order
 * they come (a write's answer waits for its sync to disk, so a later read may be answered first),
 * and a transaction holds the others back until it ends, as on the main thread.
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { Db, Queryable } from './db.js';
import { openPglite, type PgliteDirectory } from './pglite-db.js';
import { errorData, type Call, type Reply, type Request } from './pglite-thread.js';

const port = parentPort!;

// Named for top -H, ps -L and the benchmark, which tell this thread's CPU from the event loop's.
try {
  fs.writeFileSync('/proc/thread-self/comm', 'pglite');
} catch {
  // Not Linux: the name is only a convenience.
}

function reply(message: Reply): void {
  try {
    port.postMessage(message);
  } catch (error) {
    // A result that cannot be copied to the event loop: that call fails, nothing else.
    if ('result' in message) port.postMessage({ id: message.id, error: errorData(error) } satisfies Reply);
    else throw error;
  }
}

/**
 * Postgres aborted (emscripten's abort throws WebAssembly's RuntimeError, its exit an
 * ExitStatus): the database is gone for good, so the thread ends after answering, and the
 * process with it (pglite-thread.ts).
 */
const fatal = (error: unknown) => ['RuntimeError', 'ExitStatus'].includes(String((error as { name?: unknown } | null)?.name));

/** Thrown inside a transaction the event loop ended without committing. */
class RolledBack extends Error {}

/** Open transactions: their queries, and how to let them commit or roll back. */
const open = new Map<number, { q: Queryable; decide: (commit: boolean) => void; outcome: Promise<void> }>();
let nextTx = 1;

function begin(db: Db): Promise<number> {
  const tx = nextTx++;
  return new Promise((resolve, reject) => {
    let decide!: (commit: boolean) => void;
    const decided = new Promise<boolean>((r) => (decide = r));
    let began = false;
    const done = db.transaction(async (q) => {
      began = true;
      open.set(tx, { q, decide, outcome });
      resolve(tx);
      if (!(await decided)) throw new RolledBack();
    });
    const outcome = done.then(
      () => undefined,
      (error: unknown) => {
        if (!began) reject(error);
        if (!(error instanceof RolledBack)) throw error;
      },
    );
    // Whoever ends the transaction hears how it went.
    outcome.catch(() => undefined);
  });
}

async function end(tx: number, commit: boolean): Promise<void> {
  const t = open.get(tx);
  if (!t) throw new Error(`No open transaction ${tx}.`);
  open.delete(tx);
  t.decide(commit);
  await t.outcome;
}

function run(db: Db, call: Call): Promise<unknown> {
  const on = (tx: number | null): Queryable => {
    if (tx === null) return db;
    const t = open.get(tx);
    if (!t) throw new Error(`No open transaction ${tx}.`);
    return t.q;
  };
  switch (call.op) {
    case 'query':
      return on(call.tx).query(call.sql, call.params, call.options);
    case 'exec':
      return on(call.tx).exec(call.sql);
    case 'batch':
      return db.batch(call.statements);
    case 'begin':
      return begin(db);
    case 'end':
      return end(call.tx, call.commit);
    case 'maintain':
      return db.maintain();
    case 'close':
      return db.close();
  }
}

try {
  const db = await openPglite(workerData as PgliteDirectory);
  port.on('message', (request: Request) => {
    Promise.resolve()
      .then(() => run(db, request))
      .then(
        (result) => reply({ id: request.id, result: result ?? null }),
        (error: unknown) => {
          reply({ id: request.id, error: errorData(error) });
          if (fatal(error)) process.exit(1);
        },
      );
  });
  reply({ id: 0, result: null });
} catch (error) {
  reply({ id: 0, error: errorData(error) });
}
