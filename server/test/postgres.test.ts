/**
 * The contract against a real Postgres (TEST_DATABASE_URL, default the local test database).
 * Each run works in a fresh schema, dropped afterwards, so runs never see each other's rows.
 * Postgres down: in CI (CI set) that fails; elsewhere the suite is skipped with a warning.
 */
import type { RoundEvent } from '@kollegium/shared';
import pg from 'pg';
import fs from 'node:fs';
import { MIGRATIONS_DIR } from '../src/storage/migrate.js';
import { afterAll, describe, expect, it } from 'vitest';
import { VersionConflict } from '../src/sessions/store.js';
import { migrate, openStore, type SqlStore } from '../src/storage/index.js';
import { focusRound } from './round.js';
import { storeContract } from './storage.contract.js';

/** Every migration shipped in server/migrations, by name. */
const ALL_MIGRATIONS = fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).map((f) => f.slice(0, -4)).sort();

const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `kollegium_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

async function probe(): Promise<string | null> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const unreachable = await probe();
if (unreachable && !process.env.CI) {
  console.warn(
    `\n⚠ Postgres at ${DATABASE_URL} is unreachable (${unreachable}): SKIPPING the Postgres storage tests.\n` +
      `  Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n`,
  );
}

if (unreachable && process.env.CI) {
  describe('Postgres for the storage tests', () => {
    it('is reachable (required in CI)', () => {
      throw new Error(`Postgres at ${DATABASE_URL} is unreachable: ${unreachable}`);
    });
  });
}

describe.skipIf(unreachable)('Postgres', () => {
  const open = (schema = SCHEMA) => openStore({ databaseUrl: DATABASE_URL, dataDir: 'unused', schema });
  const schemas = new Set<string>([SCHEMA]);

  afterAll(async () => {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await client.end();
    }
  });

  storeContract(
    'Postgres',
    async () => {
      const store = await open();
      return { store, db: store.db, migrate: () => migrate(store.db, { lockKey: `kollegium:migrate:${SCHEMA}` }) };
    },
    { sql: true },
  );

  describe('two processes on one database', () => {
    it('migrate at once without racing: one applies, the other finds it done', async () => {
      const schema = `${SCHEMA}_m`;
      schemas.add(schema);
      const stores = await Promise.all([open(schema), open(schema), open(schema)]);
      try {
        const rows = await stores[0]!.db.query<{ name: string }>('SELECT name FROM schema_migrations');
        expect(rows.map((row) => row.name)).toEqual(ALL_MIGRATIONS);
      } finally {
        for (const store of stores) await store.close();
      }
    });

    it('never fork a round: of two appends at the same version one wins, the other gets VersionConflict', async () => {
      const a: SqlStore = await open();
      const b: SqlStore = await open();
      try {
        const round = focusRound();
        await a.create(round.record);
        const [first] = round.steps;
        // Two servers that both loaded seq 0 and applied different commands.
        const other = { ...first!.event, id: 'other', name: 'Eve' } as RoundEvent;
        const results = await Promise.allSettled([
          a.append(round.code, 1, first!.event, first!.state, first!.token),
          b.append(round.code, 1, other, first!.state),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(rejected.reason).toBeInstanceOf(VersionConflict);
        // One event at seq 1, from whichever won; both stores read the same.
        expect(await a.events(round.code, 0)).toHaveLength(1);
        expect(await b.load(round.code)).toEqual(await a.load(round.code));
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
});
