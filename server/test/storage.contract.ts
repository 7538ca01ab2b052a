/**
 * The SessionStore contract: one suite that every implementation passes (MemoryStore, PGlite,
 * Postgres). SQL stores also hand over their Db, so the suite can check rows table by table.
 * Not a test file itself: memory/pglite/postgres *.test.ts call `storeContract`.
 */
import type { RoundState } from '@kollegium/shared';
import fs from 'node:fs';
import { MIGRATIONS_DIR } from '../src/storage/migrate.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VersionConflict, type SessionStore } from '../src/sessions/store.js';
import type { Db } from '../src/storage/db.js';
import { SqlStore } from '../src/storage/sql-store.js';
import { PROJECTION_TABLES, SESSION_TABLES } from '../src/storage/projections.js';
import { FACILITATOR, MIN, RoundDriver, as, focusRound, freshCode, tokenHash, type Step } from './round.js';

/** Every migration shipped in server/migrations, by name. */
const ALL_MIGRATIONS = fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).map((f) => f.slice(0, -4)).sort();

export interface ContractTarget {
  store: SessionStore;
  /** SQL stores: direct access for row counts and projections. */
  db?: Db;
  /** SQL stores: runs the migrations again; returns what it applied. */
  migrate?: () => Promise<string[]>;
  /** Called after the suite, when the target needs more than `store.close()`. */
  close?: () => Promise<void>;
}

async function appendAll(store: SessionStore, code: string, steps: readonly Step[]): Promise<void> {
  for (const step of steps) await store.append(code, step.seq, step.event, step.state, step.token);
}

const MS = (column: string) => `round(extract(epoch FROM ${column}) * 1000)::float8 AS ${column}`;

/** Every projection table's rows for a session, in a form comparable with `expectedRows`. */
async function projectedRows(db: Db, code: string) {
  const q = (sql: string) => db.query(sql, [code]);
  return {
    participants: await q(`SELECT id, name, ${MS('joined_at')}, removed FROM participants WHERE code = $1 ORDER BY id`),
    challenges: await q(
      `SELECT id, owner_id, title, context, question, ${MS('submitted_at')} FROM challenges WHERE code = $1 ORDER BY id`,
    ),
    votes: await q(`SELECT participant_id, challenge_id, dots FROM votes WHERE code = $1 ORDER BY participant_id, challenge_id`),
    contributions: await q(
      `SELECT id, challenge_id, author_id, kind, text, anonymous, phase, ${MS('at')}, hidden, useful FROM contributions WHERE code = $1 ORDER BY id`,
    ),
    next_steps: await q(`SELECT id, challenge_id, text, ${MS('at')} FROM next_steps WHERE code = $1 ORDER BY id`),
    notes: await q(`SELECT participant_id, challenge_id, text FROM notes WHERE code = $1 ORDER BY participant_id, challenge_id`),
    evaluations: await q(`SELECT participant_id, usefulness, process, comment FROM evaluations WHERE code = $1 ORDER BY participant_id`),
  };
}

/** What the projections should hold for a state, written independently of the store's SQL. */
function expectedRows({ context: c }: RoundState) {
  const by =
    <T>(...keys: (keyof T)[]) =>
    (a: T, b: T) => {
      for (const k of keys) if (a[k] !== b[k]) return String(a[k]) < String(b[k]) ? -1 : 1;
      return 0;
    };
  const dots = new Map<string, { participant_id: string; challenge_id: string; dots: number }>();
  for (const v of c.votes) {
    const key = `${v.participantId}\u0000${v.challengeId}`;
    const row = dots.get(key) ?? { participant_id: v.participantId, challenge_id: v.challengeId, dots: 0 };
    row.dots++;
    dots.set(key, row);
  }
  return {
    participants: c.participants.map((p) => ({ id: p.id, name: p.name, joined_at: p.joinedAt, removed: !!p.removed })).sort(by('id')),
    challenges: c.challenges
      .map((x) => ({ id: x.id, owner_id: x.ownerId, title: x.title, context: x.context, question: x.question, submitted_at: x.submittedAt }))
      .sort(by('id')),
    votes: [...dots.values()].sort(by('participant_id', 'challenge_id')),
    contributions: c.contributions
      .map((x) => ({
        id: x.id,
        challenge_id: x.challengeId,
        author_id: x.authorId,
        kind: x.kind,
        text: x.text,
        anonymous: x.anonymous,
        phase: x.phase,
        at: x.at,
        hidden: x.hidden,
        useful: x.useful,
      }))
      .sort(by('id')),
    next_steps: c.nextSteps.map((x) => ({ id: x.id, challenge_id: x.challengeId, text: x.text, at: x.at })).sort(by('id')),
    notes: c.notes.map((x) => ({ participant_id: x.participantId, challenge_id: x.challengeId, text: x.text })).sort(by('participant_id', 'challenge_id')),
    evaluations: c.evaluations
      .map((x) => ({ participant_id: x.participantId, usefulness: x.usefulness, process: x.process, comment: x.comment }))
      .sort(by('participant_id')),
  };
}

async function rowCounts(db: Db, code: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of SESSION_TABLES) {
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE code = $1`, [code]);
    counts[table] = row!.n;
  }
  return counts;
}

/** `sql`: the target is a SQL store and returns `db` and `migrate`; adds the row-level tests. */
export function storeContract(name: string, open: () => Promise<ContractTarget>, { sql = false } = {}): void {
  describe(`SessionStore contract: ${name}`, () => {
    let target: ContractTarget;
    let store: SessionStore;

    beforeAll(async () => {
      target = await open();
      store = target.store;
    });
    afterAll(async () => {
      if (target) await (target.close ? target.close() : target.store.close());
    });

    it('loads what was created, equal in every field; unknown codes load as null; a code is created once', async () => {
      const round = new RoundDriver(freshCode());
      await store.create(round.record);
      expect(await store.load(round.code)).toEqual(round.record);
      expect(await store.load(freshCode())).toBeNull();
      await expect(store.create(round.record)).rejects.toThrow(/exists/);
      expect(await store.events(round.code, 0)).toEqual([]);
    });

    it('append bumps the version and stores the event and the state after it', async () => {
      const round = focusRound();
      await store.create(round.record);
      for (const step of round.steps.slice(0, 8)) {
        await store.append(round.code, step.seq, step.event, step.state, step.token);
        const loaded = await store.load(round.code);
        expect(loaded?.seq).toBe(step.seq);
        expect(loaded?.state).toEqual(step.state);
        // Keys and creation time do not move.
        expect(loaded).toMatchObject({ facilitatorKeyHash: round.record.facilitatorKeyHash, createdAt: round.createdAt });
      }
      expect(await store.events(round.code, 0)).toEqual(round.steps.slice(0, 8).map(({ seq, event }) => ({ seq, event })));
    });

    it('refuses a stale or skipping version with VersionConflict and writes nothing', async () => {
      const round = focusRound();
      await store.create(round.record);
      await appendAll(store, round.code, round.steps.slice(0, 2));
      const before = await store.load(round.code);
      const [, , third, fourth] = round.steps;

      // Another writer already wrote seq 2: appending "seq 2" again must not fork the round.
      const stale = store.append(round.code, 2, third!.event, third!.state, third!.token);
      await expect(stale).rejects.toBeInstanceOf(VersionConflict);
      await expect(stale).rejects.toMatchObject({ sessionCode: round.code, expected: 1, actual: 2 });
      await expect(store.append(round.code, 4, fourth!.event, fourth!.state)).rejects.toBeInstanceOf(VersionConflict);

      expect(await store.load(round.code)).toEqual(before);
      expect(await store.events(round.code, 0)).toHaveLength(2);
      expect(await store.findParticipant(round.code, third!.token!.tokenHash)).toBeNull();
      if (target.db) expect(await projectedRows(target.db, round.code)).toEqual(expectedRows(before!.state));

      // The right version still goes through.
      await store.append(round.code, 3, third!.event, third!.state, third!.token);
      expect((await store.load(round.code))?.seq).toBe(3);
    });

    it('appends to many sessions at once, each on its own: a stale or failing one among them changes nothing else', async () => {
      const rounds = Array.from({ length: 12 }, () => focusRound());
      for (const round of rounds) await store.create(round.record);
      await Promise.all(rounds.map((round) => appendAll(store, round.code, round.steps.slice(0, 2))));
      const [stale, clashing, ...fine] = rounds as [RoundDriver, RoundDriver, ...RoundDriver[]];
      const staleBefore = await store.load(stale.code);
      const clashingBefore = await store.load(clashing.code);
      const third = (round: RoundDriver) => round.steps[2]!;
      // Cem joins with the token hash Ada already has: the statement fails.
      const clash = { ...third(clashing).token!, tokenHash: clashing.steps[0]!.token!.tokenHash };
      // All at once, with the state before each event as the server passes it: one stale version
      // (without it: it would write a snapshot and sync its tables whole, were it not refused),
      // one that fails, and ten good ones, two versions in a row each.
      const results = await Promise.allSettled([
        store.append(stale.code, 2, third(stale).event, third(stale).state, third(stale).token),
        store.append(clashing.code, 3, third(clashing).event, third(clashing).state, clash, clashing.steps[1]!.state),
        ...fine.flatMap((round) => [
          store.append(round.code, 3, third(round).event, third(round).state, third(round).token, round.steps[1]!.state),
          store.append(round.code, 4, round.steps[3]!.event, round.steps[3]!.state, round.steps[3]!.token, third(round).state),
        ]),
      ]);
      expect(results[0]).toMatchObject({ status: 'rejected', reason: { name: 'VersionConflict', expected: 1, actual: 2 } });
      expect(results[1]).toMatchObject({ status: 'rejected' });
      expect(results[1]).not.toMatchObject({ reason: { name: 'VersionConflict' } });
      expect(results.slice(2).map((r) => r.status)).toEqual(fine.flatMap(() => ['fulfilled', 'fulfilled']));
      expect(await store.load(stale.code)).toEqual(staleBefore);
      if (target.db) expect(await projectedRows(target.db, stale.code)).toEqual(expectedRows(staleBefore!.state));
      expect(await store.load(clashing.code)).toEqual(clashingBefore);
      expect(await store.events(clashing.code, 0)).toHaveLength(2);
      for (const round of fine) {
        expect(await store.load(round.code)).toMatchObject({ seq: 4, state: round.steps[3]!.state });
        expect(await store.events(round.code, 0)).toEqual(round.steps.slice(0, 4).map(({ seq, event }) => ({ seq, event })));
        if (target.db) expect(await projectedRows(target.db, round.code)).toEqual(expectedRows(round.steps[3]!.state));
      }
    });

    it('stores text exactly as typed: quotes, backslashes, escapes, emoji, in events, projections and snapshots', async () => {
      const text = `it's "quoted" ''twice'', a \\back\\slash\\, \\u0041 \\x41 \\' $$ E'x' and 👋`;
      const r = new RoundDriver(freshCode());
      const ada = r.join('Ada');
      const ben = r.join('Ben');
      r.send('challenge:submit', { title: `Ada's "team"`, context: 'a\\b', question: 'Q?' }, as(ada), 'c-ada');
      r.send('round:start', { shuffle: false }, FACILITATOR);
      r.send('challenge:pick', {}, FACILITATOR);
      r.send('challenge:confirm', {}, as(ada));
      r.send('contribution:add', { kind: 'reflection', text, anonymous: false }, as(ben), 'k-1');
      r.send('contribution:add', { kind: 'reflection', text: `${text} again`, anonymous: false }, as(ben), 'k-2');
      await store.create(r.record);
      // As the server appends (the state before each event: only changed rows), but the last one
      // without it, which writes the snapshot and syncs the projections whole.
      let prev = r.initial;
      for (const [i, step] of r.steps.entries()) {
        await store.append(r.code, step.seq, step.event, step.state, step.token, i < r.steps.length - 1 ? prev : undefined);
        prev = step.state;
      }
      const loaded = await store.load(r.code);
      expect(loaded?.state).toEqual(r.state);
      expect(loaded?.state.context.contributions.map((c) => c.text)).toEqual([text, `${text} again`]);
      expect((await store.events(r.code, 0)).map((e) => e.event)).toEqual(r.steps.map((s) => s.event));
      if (target.db) expect(await projectedRows(target.db, r.code)).toEqual(expectedRows(r.state));
    });

    it('refuses to append to a session that does not exist, and not as a version conflict', async () => {
      const round = focusRound();
      const step = round.steps[0]!;
      const missing = store.append(round.code, 1, step.event, step.state, step.token);
      await expect(missing).rejects.toThrow(/no session/);
      await expect(missing).rejects.not.toBeInstanceOf(VersionConflict);
    });

    it('lists the events after a version, oldest first', async () => {
      const round = focusRound();
      await store.create(round.record);
      await appendAll(store, round.code, round.steps);
      const all = round.steps.map(({ seq, event }) => ({ seq, event }));
      expect(await store.events(round.code, 0)).toEqual(all);
      expect(await store.events(round.code, 5)).toEqual(all.slice(5));
      expect(await store.events(round.code, all.length)).toEqual([]);
      expect(await store.events(freshCode(), 0)).toEqual([]);
    });

    /** A whole round and another session with only its first steps: what one may not see of the other. */
    const twoRounds = async () => {
      const round = focusRound();
      await store.create(round.record);
      await appendAll(store, round.code, round.steps);
      const other = focusRound();
      await store.create(other.record);
      await appendAll(store, other.code, other.steps.slice(0, 3));
      return { round, other };
    };

    it('finds participants by token hash within their session only, until revoked', async () => {
      const { round, other } = await twoRounds();

      expect(await store.findParticipant(round.code, tokenHash(round.code, 'p-ada'))).toBe('p-ada');
      expect(await store.findParticipant(round.code, tokenHash(round.code, 'p-ben'))).toBe('p-ben');
      expect(await store.findParticipant(other.code, tokenHash(round.code, 'p-ada'))).toBeNull();
      expect(await store.findParticipant(round.code, 'no such hash')).toBeNull();

      await store.revokeParticipant(round.code, 'p-ada');
      expect(await store.findParticipant(round.code, tokenHash(round.code, 'p-ada'))).toBeNull();
      expect(await store.findParticipant(round.code, tokenHash(round.code, 'p-ben'))).toBe('p-ben');
      // Same participant id in another session: untouched.
      expect(await store.findParticipant(other.code, tokenHash(other.code, 'p-ada'))).toBe('p-ada');
      // Revoking twice, or someone unknown, is harmless.
      await store.revokeParticipant(round.code, 'p-ada');
      await store.revokeParticipant(round.code, 'p-nobody');
      await store.revokeParticipant(freshCode(), 'p-ada');
      // The session itself is unchanged: revoking is about access, not the round.
      expect((await store.load(round.code))?.seq).toBe(round.steps.length);
    });

    it("lists a session's tokens that are not revoked, and no other session's", async () => {
      const { round, other } = await twoRounds();
      const tokens = async (code: string) =>
        (await store.participantTokens(code)).sort((a, b) => a.participantId.localeCompare(b.participantId));
      const expected = round.steps.flatMap((s) => (s.token ? [s.token] : [])).sort((a, b) => a.participantId.localeCompare(b.participantId));
      expect(expected.length).toBeGreaterThan(1);
      expect(await tokens(round.code)).toEqual(expected);

      await store.revokeParticipant(round.code, 'p-ada');
      expect(await tokens(round.code)).toEqual(expected.filter((t) => t.participantId !== 'p-ada'));
      expect((await tokens(other.code)).map((t) => t.participantId)).toContain('p-ada');
      expect(await tokens(freshCode())).toEqual([]);
    });

    it('deletes a session with all its rows in every table, and nothing of other sessions', async () => {
      const round = focusRound();
      const other = focusRound();
      for (const r of [round, other]) {
        await store.create(r.record);
        await appendAll(store, r.code, r.steps);
      }
      if (target.db) {
        // Every table that holds session rows is covered, and the round filled all of them.
        const withCode = await target.db.query<{ table_name: string }>(
          `SELECT table_name::text FROM information_schema.columns
           WHERE column_name = 'code' AND table_schema = current_schema() ORDER BY 1`,
        );
        expect(withCode.map((row) => row.table_name)).toEqual([...SESSION_TABLES].sort());
        const before = await rowCounts(target.db, round.code);
        for (const table of SESSION_TABLES) expect(before[table], table).toBeGreaterThan(0);
      }

      expect(await store.delete(round.code)).toBe(true);
      expect(await store.load(round.code)).toBeNull();
      expect(await store.events(round.code, 0)).toEqual([]);
      expect(await store.findParticipant(round.code, tokenHash(round.code, 'p-ada'))).toBeNull();
      expect(await store.delete(round.code)).toBe(false);
      if (target.db) {
        expect(await rowCounts(target.db, round.code)).toEqual(Object.fromEntries(SESSION_TABLES.map((t) => [t, 0])));
      }

      expect((await store.load(other.code))?.seq).toBe(other.steps.length);
      expect(await store.events(other.code, 0)).toHaveLength(other.steps.length);
      expect(await store.findParticipant(other.code, tokenHash(other.code, 'p-ada'))).toBe('p-ada');
      if (target.db) expect(await projectedRows(target.db, other.code)).toEqual(expectedRows(other.state));
    });

    it('deletes the sessions whose last write is older than the cutoff', async () => {
      // Long before every other test's sessions, so a shared store's other sessions stay.
      const long = Date.UTC(2001, 0, 1);
      const idle = new RoundDriver(freshCode(), long); // created, never written again
      const busy = new RoundDriver(freshCode(), long); // created then, written to later
      const fresh = new RoundDriver(freshCode(), long + 60 * MIN);
      busy.now = long + 90 * MIN - 1000;
      busy.join('Ada'); // at long + 90 min
      for (const r of [idle, busy, fresh]) await store.create(r.record);
      await appendAll(store, busy.code, busy.steps);

      expect(await store.deleteInactiveSince(long + 30 * MIN)).toEqual([idle.code]);
      expect(await store.load(idle.code)).toBeNull();
      // Not older than the cutoff: a session last written exactly at it stays.
      expect(await store.deleteInactiveSince(long + 60 * MIN)).toEqual([]);
      expect((await store.deleteInactiveSince(long + 60 * MIN + 1)).sort()).toEqual([fresh.code]);
      expect((await store.load(busy.code))?.seq).toBe(1);
      expect(await store.deleteInactiveSince(long + 90 * MIN + 1)).toEqual([busy.code]);
      expect(await store.findParticipant(busy.code, tokenHash(busy.code, 'p-ada'))).toBeNull();
    });

    if (sql) describe('SQL store', () => {
      it('keeps the projection tables equal to the snapshot after every append', async () => {
        const db = target.db!;
        const round = focusRound();
        await store.create(round.record);
        expect(await projectedRows(db, round.code)).toEqual(expectedRows(round.initial));
        for (const step of round.steps) {
          await store.append(round.code, step.seq, step.event, step.state, step.token);
          expect(await projectedRows(db, round.code), `after ${step.seq}: ${step.event.type}`).toEqual(expectedRows(step.state));
        }
        // Rows were updated (useful, hidden, removed) and deleted (a retracted vote, the votes
        // of the removed participant) on the way.
        const rows = await projectedRows(db, round.code);
        expect(rows.contributions.map((c) => [c.id, c.hidden, c.useful])).toEqual([
          ['k-ben', true, false],
          ['k-cem', false, true],
        ]);
        expect(rows.participants.map((p) => [p.id, p.removed])).toEqual([
          ['p-ada', false],
          ['p-ben', false],
          ['p-cem', true],
        ]);
        expect(rows.votes).toEqual([{ participant_id: 'p-ben', challenge_id: 'c-ada', dots: 1 }]);
      });

      it('with the state before each event: writes only what changed, snapshots now and then, and loads the same', async () => {
        const db = target.db!;
        // A snapshot every third version, so loading must replay the log after it.
        const sparse = new SqlStore(db, 3);
        const round = focusRound();
        await sparse.create(round.record);
        let prev = round.initial;
        for (const step of round.steps) {
          await sparse.append(round.code, step.seq, step.event, step.state, step.token, prev);
          prev = step.state;
          expect(await projectedRows(db, round.code), `after ${step.seq}: ${step.event.type}`).toEqual(expectedRows(step.state));
          expect(await sparse.load(round.code), `load after ${step.seq}`).toMatchObject({ seq: step.seq, state: step.state });
        }
        const [row] = await db.query<{ snapshot_seq: number }>('SELECT snapshot_seq FROM sessions WHERE code = $1', [round.code]);
        expect(row!.snapshot_seq % 3).toBe(0);
        expect(row!.snapshot_seq).toBeGreaterThan(round.steps.length - 3);
        expect(row!.snapshot_seq).toBeLessThanOrEqual(round.steps.length);
      });

      it('writes all of an append or nothing: a failing token insert leaves no event and no new state', async () => {
        const round = focusRound();
        await store.create(round.record);
        await appendAll(store, round.code, round.steps.slice(0, 1));
        const before = await store.load(round.code);
        const ben = round.steps[1]!;
        // The token hash collides with Ada's: the last statement of the transaction fails.
        const clash = { ...ben.token!, tokenHash: round.steps[0]!.token!.tokenHash };
        await expect(store.append(round.code, 2, ben.event, ben.state, clash)).rejects.toThrow();
        expect(await store.load(round.code)).toEqual(before);
        expect(await store.events(round.code, 0)).toHaveLength(1);
        expect(await projectedRows(target.db!, round.code)).toEqual(expectedRows(before!.state));
        expect(await store.findParticipant(round.code, clash.tokenHash)).toBe('p-ada');
      });

      it('keeps the event log append-only', async () => {
        const round = focusRound();
        await store.create(round.record);
        await appendAll(store, round.code, round.steps.slice(0, 1));
        await expect(
          target.db!.query(`UPDATE session_events SET type = 'x' WHERE code = $1`, [round.code]),
        ).rejects.toThrow(/append-only/);
      });

      it('runs its migrations once: a second run applies nothing and keeps the data', async () => {
        const round = focusRound();
        await store.create(round.record);
        expect(await target.migrate!()).toEqual([]);
        expect(await target.migrate!()).toEqual([]);
        const applied = await target.db!.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
        expect(applied.map((row) => row.name)).toEqual(ALL_MIGRATIONS);
        expect(await store.load(round.code)).toEqual(round.record);
        expect(PROJECTION_TABLES.length).toBe(7);
      });
    });
  });
}
