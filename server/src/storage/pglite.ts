import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import type { Db } from './db.js';
import { openDatabaseThread } from './pglite-thread.js';

export interface PgliteOptions {
  /** The server's data directory; the database lives in `<dataDir>/pglite`. */
  dataDir: string;
  /** A lock whose holder stopped refreshing it this long ago counts as left by a crash (ms). */
  staleLockMs?: number;
  /**
   * How long to wait for a held lock before refusing to start (ms). A lock whose holder is known
   * to be dead is taken over at once; otherwise the default outlasts `staleLockMs`, so a restart
   * right after a crash waits for the dead process' lock to go stale instead of failing. A second
   * live process is refused once it has waited that long.
   */
  lockWaitMs?: number;
  /** The lock could not be refreshed or was taken over: another process may write. Default: throw (crash). */
  onLockCompromised?: (error: Error) => void;
}

export class DataDirLocked extends Error {
  override readonly name = 'DataDirLocked';
}

/**
 * The embedded database in `<dataDir>/pglite`, in a thread of its own (pglite-thread.ts; how it
 * makes commits durable: pglite-db.ts), behind a lock on the data directory: PGlite is one
 * connection in one process, so a second process on the same directory is refused.
 */
export async function pgliteDb(options: PgliteOptions): Promise<Db> {
  const dataDir = path.resolve(options.dataDir);
  const pgdata = path.join(dataDir, 'pglite');
  const lockPath = path.join(dataDir, 'pglite.lock');
  await fs.mkdir(dataDir, { recursive: true });
  const { release, lockWasFree } = await lockDataDir(pgdata, lockPath, options);
  try {
    return await openDatabaseThread({ pgdata, lockWasFree }, release);
  } catch (error) {
    await release().catch(() => undefined);
    throw error;
  }
}

/** Who holds the data-directory lock: kept in the lock directory by the process that made it. */
interface LockHolder {
  pid: number;
  hostname: string;
}
const HOLDER_FILE = 'holder.json';
/** Lock directories this process holds: a second store in this process is a live holder too. */
const heldHere = new Set<string>();

/**
 * proper-lockfile's lock is a directory it makes with mkdir and removes with rmdir (on release,
 * when taking over a stale lock, and in its exit handler). Through its `fs` option, ours gets
 * the holder's record written into it right after mkdir — before proper-lockfile sets and starts
 * watching the directory's mtime, and before the lock counts as taken — and loses it before rmdir.
 */
function lockFs(lockPath: string) {
  const holder: LockHolder = { pid: process.pid, hostname: os.hostname() };
  return {
    ...fsSync,
    mkdir(dir: string, callback: (error: NodeJS.ErrnoException | null) => void) {
      fsSync.mkdir(dir, (error) => {
        if (error) return callback(error);
        heldHere.add(lockPath);
        fsSync.writeFile(path.join(dir, HOLDER_FILE), JSON.stringify(holder), (writeError) => {
          if (!writeError) return callback(null);
          heldHere.delete(lockPath);
          fsSync.rm(dir, { recursive: true, force: true }, () => callback(writeError));
        });
      });
    },
    rmdir(dir: string, callback: (error: NodeJS.ErrnoException | null) => void) {
      fsSync.rm(path.join(dir, HOLDER_FILE), { force: true }, () => fsSync.rmdir(dir, callback));
    },
    rmdirSync(dir: string) {
      fsSync.rmSync(path.join(dir, HOLDER_FILE), { force: true });
      fsSync.rmdirSync(dir);
    },
  };
}

async function lockDataDir(
  pgdata: string,
  lockPath: string,
  options: PgliteOptions,
): Promise<{ release: () => Promise<void>; lockWasFree: boolean }> {
  // A live process refreshes the lock every stale/2 ms. A dead one is recognised by its record
  // when it ran on this machine; any other lock is taken over once it is `stale` ms old.
  const stale = Math.max(options.staleLockMs ?? 4000, 2000);
  const waitMs = options.lockWaitMs ?? stale + 2000;
  const deadline = Date.now() + waitMs;
  const lockOps = lockFs(lockPath);
  // Whether the last holder released the lock (proper-lockfile may also take over a stale one silently).
  let lockWasFree = !fsSync.existsSync(lockPath);
  for (;;) {
    try {
      const release = await lockfile.lock(pgdata, {
        lockfilePath: lockPath,
        // The database directory may not exist yet on first start.
        realpath: false,
        stale,
        fs: lockOps,
        ...(options.onLockCompromised ? { onCompromised: options.onLockCompromised } : {}),
      });
      return {
        lockWasFree,
        release: async () => {
          await release();
          heldHere.delete(lockPath);
        },
      };
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ELOCKED') throw error;
      lockWasFree = false;
      if (await holderIsGone(lockPath)) {
        // Left by a crashed process: removed as proper-lockfile removes a stale lock, then taken.
        await new Promise<void>((resolve, reject) => lockOps.rmdir(lockPath, (err) => (err && err.code !== 'ENOENT' ? reject(err) : resolve())));
        continue;
      }
      if (Date.now() >= deadline) {
        throw new DataDirLocked(
          `The data directory ${path.dirname(pgdata)} is in use by another Kollegium process (lock: ${lockPath}). ` +
            `PGlite allows one process per data directory: stop the other one, give this one its own DATA_DIR, ` +
            `or set DATABASE_URL to share a Postgres server. A lock left by a crashed process is taken over ` +
            `at once on the same machine, otherwise once it is ${Math.round(stale / 1000)} s old.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * The lock's holder is provably dead: it ran on this machine, and no process has its pid — or
 * the pid is ours, and this process does not hold the lock (a container's PID 1 after a restart).
 * Anything else (no record yet, another machine, a pid in use) counts as alive until the lock
 * goes stale.
 */
async function holderIsGone(lockPath: string): Promise<boolean> {
  let holder: LockHolder;
  try {
    holder = JSON.parse(await fs.readFile(path.join(lockPath, HOLDER_FILE), 'utf8')) as LockHolder;
  } catch {
    return false;
  }
  if (holder.hostname !== os.hostname() || !Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  if (holder.pid === process.pid) return !heldHere.has(lockPath);
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists and belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

