import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLocked, migrate, openStore } from '../src/storage/index.js';
import { prepareSegment, segmentAfter, segmentsBetween } from '../src/storage/pglite-db.js';
import { focusRound } from './round.js';
import { storeContract } from './storage.contract.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kollegium-pglite-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

storeContract(
  'PGlite',
  async () => {
    const store = await openStore({ dataDir: await tempDir() });
    return { store, db: store.db, migrate: () => migrate(store.db) };
  },
  { sql: true },
);

describe('WAL segments to sync when the log moves on to a new one', () => {
  it('none between neighbours, the skipped ones after a long transaction, and all (null) when unsure', () => {
    expect(segmentsBetween('000000010000000000000003', '000000010000000000000004')).toEqual([]);
    expect(segmentsBetween('000000010000000000000003', '000000010000000000000006')).toEqual(['000000010000000000000004', '000000010000000000000005']);
    // 256 segments of 16 MB per log number: FF is followed by the next log's 00.
    expect(segmentsBetween('0000000100000000000000FE', '000000010000000100000001')).toEqual(['0000000100000000000000FF', '000000010000000100000000']);
    expect(segmentsBetween(null, '000000010000000000000004')).toBeNull();
    expect(segmentsBetween('000000010000000000000003', '000000020000000000000004')).toBeNull();
    expect(segmentsBetween('000000010000000000000004', '000000010000000000000003')).toBeNull();
    expect(segmentsBetween('000000010000000000000001', '0000000100000000000000F0')).toBeNull();
  });
});

describe('the next WAL segment, written before the log needs it', () => {
  it('is named after the current one, also across a log number', () => {
    expect(segmentAfter('000000010000000000000003')).toBe('000000010000000000000004');
    expect(segmentAfter('0000000100000000000000FF')).toBe('000000010000000100000000');
    expect(segmentAfter('00000002000000030000001A')).toBe('00000002000000030000001B');
  });

  it('is a file of zeros of the segment size, and never replaces a segment that is there', async () => {
    const dir = await tempDir();
    const bytes = 2.5 * 1024 * 1024;
    await prepareSegment(dir, '000000010000000000000004', bytes);
    const made = await fs.readFile(path.join(dir, '000000010000000000000004'));
    expect(made.length).toBe(bytes);
    expect(made.every((b) => b === 0)).toBe(true);

    await fs.writeFile(path.join(dir, '000000010000000000000005'), 'written by Postgres');
    await prepareSegment(dir, '000000010000000000000005', bytes);
    expect(await fs.readFile(path.join(dir, '000000010000000000000005'), 'utf8')).toBe('written by Postgres');
    expect((await fs.readdir(dir)).sort()).toEqual(['000000010000000000000004', '000000010000000000000005']);
  });

  it('is there once the log is half way through its segment, and Postgres writes on in it', { timeout: 60_000 }, async () => {
    const dataDir = await tempDir();
    const store = await openStore({ dataDir });
    const position = async () =>
      (await store.db.query<{ segment: string; offset: number }>(
        "SELECT pg_walfile_name(pg_current_wal_lsn()) AS segment, ((pg_current_wal_lsn() - '0/0'::pg_lsn) % (16 * 1024 * 1024))::float8 AS offset",
      ))[0]!;
    await store.db.exec('CREATE TABLE filler (n integer PRIMARY KEY, data text)');
    const start = await position();
    const next = path.join(dataDir, 'pglite', 'pg_wal', segmentAfter(start.segment));
    let n = 0;
    const fill = () => store.db.query('INSERT INTO filler VALUES ($1, $2)', [n++, crypto.randomBytes(256 * 1024).toString('hex')]);
    while ((await position()).offset < 8.5 * 1024 * 1024) await fill();
    // Written in the background after a commit's sync: there well before the segment fills up.
    await expect.poll(() => fs.stat(next).then((s) => s.size, () => 0), { timeout: 10_000 }).toBe(16 * 1024 * 1024);
    while ((await position()).segment === start.segment) await fill();
    expect((await position()).segment).toBe(segmentAfter(start.segment));
    await store.close();

    const reopened = await openStore({ dataDir });
    try {
      expect(await reopened.db.query('SELECT count(*)::int AS rows FROM filler')).toEqual([{ rows: n }]);
    } finally {
      await reopened.close();
    }
  });
});

describe('PGlite on disk', () => {
  it('a store reopened on the same directory sees everything written before', async () => {
    const dataDir = await tempDir();
    const round = focusRound();
    const first = await openStore({ dataDir });
    await first.create(round.record);
    for (const s of round.steps) await first.append(round.code, s.seq, s.event, s.state, s.token);
    await first.close();

    const second = await openStore({ dataDir });
    try {
      expect(await second.load(round.code)).toEqual({ ...round.record, seq: round.steps.length, state: round.state });
      expect(await second.events(round.code, 0)).toHaveLength(round.steps.length);
      expect(await second.findParticipant(round.code, round.steps[0]!.token!.tokenHash)).toBe('p-ada');
    } finally {
      await second.close();
    }
  });

  it('goes on through new WAL segments and its own checkpoints, and keeps what it wrote', { timeout: 120_000 }, async () => {
    const dataDir = await tempDir();
    const first = await openStore({ dataDir });
    // Incompressible rows of 1 MB: more than 128 MB of WAL, so several new segments and a checkpoint.
    await first.db.exec('CREATE TABLE filler (n integer PRIMARY KEY, data text)');
    const [{ segment: before }] = (await first.db.query<{ segment: string }>('SELECT pg_walfile_name(pg_current_wal_lsn()) AS segment')) as [{ segment: string }];
    const [{ redo: redoBefore }] = (await first.db.query<{ redo: string }>('SELECT redo_lsn::text AS redo FROM pg_control_checkpoint()')) as [{ redo: string }];
    for (let n = 0; n < 140; n++) {
      await first.db.query('INSERT INTO filler VALUES ($1, $2)', [n, crypto.randomBytes(512 * 1024).toString('hex')]);
    }
    const [{ segment: after }] = (await first.db.query<{ segment: string }>('SELECT pg_walfile_name(pg_current_wal_lsn()) AS segment')) as [{ segment: string }];
    const [{ redo: redoAfter }] = (await first.db.query<{ redo: string }>('SELECT redo_lsn::text AS redo FROM pg_control_checkpoint()')) as [{ redo: string }];
    expect(parseInt(after.slice(16), 16) - parseInt(before.slice(16), 16)).toBeGreaterThan(8);
    expect(redoAfter).not.toBe(redoBefore);
    await first.close();
    const second = await openStore({ dataDir });
    try {
      expect(await second.db.query('SELECT count(*)::int AS n, sum(length(data))::float8 AS bytes FROM filler')).toEqual([{ n: 140, bytes: 140 * 1024 * 1024 }]);
    } finally {
      await second.close();
    }
  });

  it('maintain() vacuums and analyzes, which single-user Postgres never does by itself', async () => {
    const store = await openStore({ dataDir: await tempDir() });
    try {
      const round = focusRound();
      await store.create(round.record);
      for (const s of round.steps) await store.append(round.code, s.seq, s.event, s.state, s.token);
      const stats = () => store.db.query<{ reltuples: number }>(`SELECT reltuples::float8 AS reltuples FROM pg_class WHERE relname = 'contributions'`);
      // Never analyzed: the planner knows nothing of the rows (-1).
      const [before] = await stats();
      expect(before!.reltuples).toBeLessThan(1);
      await store.maintain();
      const [after] = await stats();
      expect(after!.reltuples).toBe(round.state.context.contributions.length);
      expect(await store.load(round.code)).toMatchObject({ seq: round.steps.length, state: round.state });
    } finally {
      await store.close();
    }
  });

  it('refuses a second store on a directory in use, with a message that says what to do', async () => {
    const dataDir = await tempDir();
    const first = await openStore({ dataDir });
    const round = focusRound();
    await first.create(round.record);

    const second = openStore({ dataDir, lock: { lockWaitMs: 0 } });
    await expect(second).rejects.toBeInstanceOf(DataDirLocked);
    await expect(second).rejects.toThrow(/in use by another Kollegium process.*DATA_DIR/s);
    // The first store is unharmed and keeps working.
    await first.append(round.code, 1, round.steps[0]!.event, round.steps[0]!.state);
    await first.close();

    // Once closed, the lock is free again.
    const third = await openStore({ dataDir, lock: { lockWaitMs: 0 } });
    expect((await third.load(round.code))?.seq).toBe(1);
    await third.close();
  });
});

describe('PGlite in its own thread', () => {
  it('leaves the event loop free while the database works, and hands Postgres errors back with their code', async () => {
    const store = await openStore({ dataDir: await tempDir() });
    try {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const started = performance.now();
      // Hundreds of milliseconds of Postgres in WebAssembly, which on the event loop would stop every timer.
      const [row] = await store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM generate_series(1, 3000000)');
      const elapsed = performance.now() - started;
      clearInterval(timer);
      expect(row!.n).toBe(3_000_000);
      expect(elapsed).toBeGreaterThan(100);
      expect(ticks).toBeGreaterThan(elapsed / 5 / 4);

      await store.db.exec('CREATE TABLE unique_things (id int PRIMARY KEY)');
      await store.db.query('INSERT INTO unique_things VALUES (1)');
      const duplicate = await store.db.query('INSERT INTO unique_things VALUES (1)').catch((error: unknown) => error);
      expect(duplicate).toBeInstanceOf(Error);
      expect(duplicate).toMatchObject({ code: '23505', message: expect.stringMatching(/duplicate key/) });
      // A transaction that throws leaves nothing behind, and the database goes on.
      await expect(
        store.db.transaction(async (tx) => {
          await tx.query('INSERT INTO unique_things VALUES (2)');
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect(await store.db.query('SELECT id FROM unique_things ORDER BY id')).toEqual([{ id: 1 }]);
      // A parameter that cannot cross to the thread fails that call alone.
      await expect(store.db.query('SELECT $1::text AS t', [() => 'not data'])).rejects.toThrow(/could not be cloned/);
      expect(await store.db.query('SELECT $1::text AS t', ['data'])).toEqual([{ t: 'data' }]);
    } finally {
      await store.close();
    }
  });
});

describe('PGlite checkpoints', () => {
  it('checkpoints in the first lull after 16 MB of log, so a crash replays little', async () => {
    const store = await openStore({ dataDir: await tempDir() });
    try {
      const behind = async () =>
        (await store.db.query<{ mb: number }>('SELECT pg_wal_lsn_diff(pg_current_wal_flush_lsn(), redo_lsn)::float8 / 1048576 AS mb FROM pg_control_checkpoint()'))[0]!.mb;
      await store.db.exec('CREATE TABLE filler (n int, text text)');
      for (let i = 0; i < 6; i++) await store.db.query("INSERT INTO filler SELECT n, repeat('x', 200) FROM generate_series(1, 12000) n");
      expect(await behind()).toBeGreaterThan(16);
      await expect.poll(behind, { timeout: 10_000, interval: 250 }).toBeLessThan(1);
    } finally {
      await store.close();
    }
  });
});

describe('PGlite after a crash', () => {
  it('a process killed mid-round leaves every acknowledged append, and its lock is taken over', async () => {
    const dataDir = await tempDir();
    const round = focusRound();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/crash-writer.ts'), dataDir, round.code], {
      cwd: path.join(here, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // Kill it (no chance to close or unlock) once a dozen appends were acknowledged.
    let acked = -1;
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (chunk) => {
        buffer += chunk;
        for (const match of buffer.matchAll(/acked (\d+)\n/g)) acked = Math.max(acked, Number(match[1]));
        if (acked >= 12) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', () => reject(new Error(`writer exited early (acked ${acked}): ${stderr}`)));
    });
    await exited;

    // The dead process' lock is taken over at once: no waiting for it to go stale.
    const store = await openStore({ dataDir, lock: { lockWaitMs: 0 } });
    try {
      const loaded = await store.load(round.code);
      expect(loaded!.seq).toBeGreaterThanOrEqual(acked);
      // Whole appends only: the state, the log and the tokens agree with the version.
      expect(loaded!.state).toEqual(round.steps[loaded!.seq - 1]!.state);
      expect(await store.events(round.code, 0)).toEqual(round.steps.slice(0, loaded!.seq).map(({ seq, event }) => ({ seq, event })));
      expect(await store.findParticipant(round.code, round.steps[2]!.token!.tokenHash)).toBe('p-cem');
    } finally {
      await store.close();
    }
  });
});

describe('PGlite data-directory lock', () => {
  /** The crash writer holding the lock of `dataDir`, once it has written its first append. */
  async function writer(dataDir: string, code: string): Promise<{ child: ChildProcessWithoutNullStreams; exited: Promise<unknown> }> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/crash-writer.ts'), dataDir, code], {
      cwd: path.join(here, '..'),
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk) => String(chunk).includes('acked 0') && resolve());
      child.once('exit', (code) => reject(new Error(`writer exited with ${code}`)));
    });
    return { child, exited };
  }

  /** A lock directory as a process would have left it, with its holder's record. */
  async function leftLock(dataDir: string, holder: { pid: number; hostname: string }): Promise<void> {
    await fs.mkdir(path.join(dataDir, 'pglite.lock'));
    await fs.writeFile(path.join(dataDir, 'pglite.lock', 'holder.json'), JSON.stringify(holder));
  }

  /** The pid of a process that has just exited. */
  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.once('exit', resolve));
    return child.pid!;
  }

  it('refuses while another process holds it, and takes it over at once when that process is killed', async () => {
    const dataDir = await tempDir();
    const round = focusRound();
    const { child, exited } = await writer(dataDir, round.code);
    try {
      await expect(openStore({ dataDir, lock: { lockWaitMs: 0 } })).rejects.toBeInstanceOf(DataDirLocked);
      // Still refused after waiting longer than the staleness (the holder keeps its lock fresh).
      await expect(openStore({ dataDir, lock: { staleLockMs: 2000, lockWaitMs: 3000 } })).rejects.toBeInstanceOf(DataDirLocked);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    // lockWaitMs 0: taken over without a moment's wait, or refused.
    const store = await openStore({ dataDir, lock: { lockWaitMs: 0 } });
    expect(await store.load(round.code)).not.toBeNull();
    await store.close();
  });

  it('takes over a lock left by a dead pid on this machine at once, also when the pid is its own (a container restarted)', async () => {
    for (const pid of [await deadPid(), process.pid]) {
      const dataDir = await tempDir();
      await leftLock(dataDir, { pid, hostname: os.hostname() });
      const store = await openStore({ dataDir, lock: { lockWaitMs: 0 } });
      await store.close();
    }
  });

  it('waits for staleness when the holder cannot be proven dead: another machine, no record', async () => {
    const pid = await deadPid();
    const leave = [
      (dataDir: string) => leftLock(dataDir, { pid, hostname: `not-${os.hostname()}` }),
      (dataDir: string) => fs.mkdir(path.join(dataDir, 'pglite.lock')),
    ];
    for (const left of leave) {
      const dataDir = await tempDir();
      await left(dataDir);
      await expect(openStore({ dataDir, lock: { lockWaitMs: 0 } })).rejects.toBeInstanceOf(DataDirLocked);
      // Nobody refreshes it, so it goes stale and is taken over.
      const store = await openStore({ dataDir, lock: { staleLockMs: 2000, lockWaitMs: 5000 } });
      await store.close();
    }
  });
});
