import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLocked, migrate, openStore } from '../src/storage/index.js';
import { segmentsBetween } from '../src/storage/pglite.js';
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

    // The dead process' lock goes stale after 2 s; opening waits for that instead of failing.
    const store = await openStore({ dataDir, lock: { staleLockMs: 2000, lockWaitMs: 10_000 } });
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
