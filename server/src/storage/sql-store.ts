import { applyEvent, type RoundEvent, type RoundState } from '@kollegium/shared';
import {
  VersionConflict,
  type ParticipantToken,
  type SessionRecord,
  type SessionStore,
  type StoredEvent,
} from '../sessions/store.js';
import { isUniqueViolation, type Db, type Prepared } from './db.js';
import { GroupCommit, type GroupCommitOptions } from './group-commit.js';
import { EVENT_WRITTEN, PROJECTION_TABLES, project, projectionWrite, upsertManyStatement, wholeSync, type ProjectionTable } from './projections.js';

// Times are the application's milliseconds; stored as timestamptz for people and queries.
// float8 division keeps sub-second precision; reading back rounds to whole milliseconds.
const TS = (param: string) => `to_timestamp(${param}::float8 / 1000)`;
const MS = (column: string) => `round(extract(epoch FROM ${column}) * 1000)::float8`;
/** The latest event time of session `s` since its snapshot; sessions.updated_at has the rest. */
const LAST_EVENT_AT = 'SELECT max(e.at) FROM session_events e WHERE e.code = s.code AND e.seq > s.snapshot_seq';

/** The SessionStore on Postgres' SQL, for PGlite and node-postgres alike (see migrations/). */
export class SqlStore implements SessionStore {
  /**
   * The whole state is written every `snapshotEvery` events (and loading replays the few logged
   * after it): writing it on every append would make each write grow with the round.
   */
  constructor(
    readonly db: Db,
    readonly snapshotEvery = 50,
    /**
     * How appends are grouped (see GroupCommit): groups start at least 5 ms apart, so a busy
     * server writes tens of appends at once, and the next group's statement may run while the
     * one before waits for the disk.
     */
    group: GroupCommitOptions = { spacingMs: 5, maxInFlight: 2 },
  ) {
    this.appends = new GroupCommit<Append>((batch) => this.appendMany(batch), group);
  }

  async create(record: SessionRecord): Promise<void> {
    try {
      await this.db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO sessions (code, facilitator_key_hash, board_key_hash, created_at, updated_at, snapshot_seq, state)
           VALUES ($1, $2, $3, ${TS('$4')}, ${TS('$4')}, $5, $6::jsonb)`,
          [record.code, record.facilitatorKeyHash, record.boardKeyHash, record.createdAt, record.seq, JSON.stringify(record.state)],
        );
        await project(tx, record.code, PROJECTION_TABLES, record.state);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new Error(`session ${record.code} exists`);
      throw error;
    }
  }

  async load(code: string): Promise<SessionRecord | null> {
    const [row] = await this.db.query<{
      facilitator_key_hash: string;
      board_key_hash: string;
      created_at: number;
      snapshot_seq: number;
      state: RoundState;
    }>(
      `SELECT facilitator_key_hash, board_key_hash, ${MS('created_at')} AS created_at, snapshot_seq, state FROM sessions WHERE code = $1`,
      [code],
    );
    if (!row) return null;
    // The machine is deterministic: the events after the snapshot give the current state.
    let state = row.state;
    let seq = row.snapshot_seq;
    for (const logged of await this.events(code, seq)) {
      const next = logged.seq === seq + 1 ? applyEvent(state, logged.event) : null;
      if (!next) throw new Error(`session ${code}: logged event ${logged.seq} does not replay on version ${seq}`);
      state = next;
      seq = logged.seq;
    }
    return {
      code,
      facilitatorKeyHash: row.facilitator_key_hash,
      boardKeyHash: row.board_key_hash,
      createdAt: row.created_at,
      seq,
      state,
    };
  }

  /**
   * Appends are written in groups (see GroupCommit): every append that arrives while the previous
   * group is being written goes into the next one, as one statement and, on PGlite, one sync of
   * the log. Each append still succeeds or fails on its own.
   */
  append(code: string, seq: number, event: RoundEvent, state: RoundState, token?: ParticipantToken, prev?: RoundState): Promise<void> {
    return this.appends.add({ code, seq, event, state, token, prev });
  }

  private readonly appends: GroupCommit<Append>;

  /**
   * One statement for a group of appends to different sessions: each event row goes in if it is
   * the next version — its predecessor is logged and the version is free — and, for the events
   * that went in, the tokens, the changed projection rows and every `snapshotEvery` versions the
   * snapshot. Under concurrent appends of the same version Postgres makes the second insert wait
   * for the first to commit and then skip it: that append is refused with VersionConflict. Tables
   * an event syncs whole (it can remove items) follow in the same transaction.
   */
  private async appendMany(batch: readonly Append[]): Promise<(Error | null)[]> {
    const items = batch.map(({ code, seq, event, state, prev }) => ({
      code,
      seq,
      type: event.type,
      at: event.at,
      event,
    }));
    const snapshots = batch.filter(({ seq, prev }) => !prev || seq % this.snapshotEvery === 0);
    const tokens = batch.flatMap(({ code, token }) => (token ? [{ code, participant_id: token.participantId, token_hash: token.tokenHash }] : []));
    const upserts = new Map<ProjectionTable, unknown[]>();
    const wholes: { code: string; seq: number; event: RoundEvent; tables: ProjectionTable[]; state: RoundState }[] = [];
    for (const { code, seq, event, state, prev } of batch) {
      const write = projectionWrite(event.type, state, prev);
      for (const [table, rows] of write.upserts) {
        const all = upserts.get(table) ?? [];
        for (const row of rows) all.push({ ...(row as object), code });
        upserts.set(table, all);
      }
      if (write.whole.length) wholes.push({ code, seq, event, tables: write.whole, state });
    }
    const tables = [...upserts.keys()];
    const params: unknown[] = [JSON.stringify(items)];
    if (tokens.length) params.push(JSON.stringify(tokens));
    for (const table of tables) params.push(JSON.stringify(upserts.get(table)));

    // The appends, then what follows them only where their event went into the log: snapshots
    // and tables synced whole. One transaction; on PGlite, one round trip with its sync.
    const statements: Prepared[] = [{ ...appendStatement(tokens.length > 0, tables), params }];
    for (const { code, seq, event, state } of snapshots) {
      statements.push({
        name: 'snapshot',
        sql: `UPDATE sessions s SET snapshot_seq = $3, state = $2::jsonb, updated_at = greatest(s.updated_at, ${TS('$5')}, (${LAST_EVENT_AT}))
              WHERE s.code = $1 AND ${EVENT_WRITTEN}`,
        params: [code, JSON.stringify(state), seq, event.id, event.at],
      });
    }
    for (const { code, seq, event, tables: whole, state } of wholes) {
      for (const table of whole) statements.push(wholeSync(table, code, state, { seq, id: event.id }));
    }
    const [rows] = await this.db.batch(statements);
    const written = new Set(rows!.map((row) => row.code as string));
    if (written.size === batch.length) return batch.map(() => null);

    // Another process wrote first: tell each refused append the version it found.
    const refused = batch.filter((a) => !written.has(a.code)).map((a) => a.code);
    const current = await this.db.query<{ code: string; seq: number }>(
      `SELECT s.code, coalesce((SELECT max(e.seq) FROM session_events e WHERE e.code = s.code), 0) AS seq
       FROM sessions s WHERE s.code IN (SELECT jsonb_array_elements_text($1::jsonb))`,
      [JSON.stringify(refused)],
    );
    const seqOf = new Map(current.map((row) => [row.code, row.seq]));
    return batch.map(({ code, seq }) => {
      if (written.has(code)) return null;
      const actual = seqOf.get(code);
      return actual === undefined ? new Error(`no session ${code}`) : new VersionConflict(code, seq - 1, actual);
    });
  }

  async events(code: string, afterSeq: number): Promise<StoredEvent[]> {
    return this.db.query<{ seq: number; event: RoundEvent }>(
      'SELECT seq, event FROM session_events WHERE code = $1 AND seq > $2 ORDER BY seq',
      [code, afterSeq],
    );
  }

  async findParticipant(code: string, tokenHash: string): Promise<string | null> {
    const [row] = await this.db.query<{ participant_id: string }>(
      'SELECT participant_id FROM participant_tokens WHERE code = $1 AND token_hash = $2 AND revoked_at IS NULL',
      [code, tokenHash],
    );
    return row?.participant_id ?? null;
  }

  async participantTokens(code: string): Promise<ParticipantToken[]> {
    const rows = await this.db.query<{ participant_id: string; token_hash: string }>(
      'SELECT participant_id, token_hash FROM participant_tokens WHERE code = $1 AND revoked_at IS NULL',
      [code],
    );
    return rows.map((row) => ({ code, participantId: row.participant_id, tokenHash: row.token_hash }));
  }

  async revokeParticipant(code: string, participantId: string): Promise<void> {
    await this.db.query(
      'UPDATE participant_tokens SET revoked_at = now() WHERE code = $1 AND participant_id = $2 AND revoked_at IS NULL',
      [code, participantId],
    );
  }

  /** Deleting the session row cascades to every other table (all reference it ON DELETE CASCADE). */
  async delete(code: string): Promise<boolean> {
    const rows = await this.db.query('DELETE FROM sessions WHERE code = $1 RETURNING code', [code]);
    return rows.length > 0;
  }

  async deleteInactiveSince(cutoff: number): Promise<string[]> {
    const rows = await this.db.query<{ code: string }>(
      `DELETE FROM sessions s WHERE greatest(s.updated_at, (${LAST_EVENT_AT})) < ${TS('$1')} RETURNING code`,
      [cutoff],
    );
    return rows.map((row) => row.code).sort();
  }

  maintain(): Promise<void> {
    return this.db.maintain();
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

interface Append {
  code: string;
  seq: number;
  event: RoundEvent;
  state: RoundState;
  token: ParticipantToken | undefined;
  prev: RoundState | undefined;
}

const appendStatements = new Map<string, { name: string; sql: string }>();

/**
 * The statement of a group of appends: $1 the appends, then $2 the tokens (if any), then the
 * changed rows of each projection table. Every part after the UPDATE writes only for the sessions
 * it returned, so an append whose version did not match leaves nothing behind. One statement is
 * one transaction, and a round trip fewer than BEGIN … COMMIT.
 */
function appendStatement(withTokens: boolean, tables: readonly ProjectionTable[]): { name: string; sql: string } {
  // Planning this statement costs more than running it: it is prepared, once per shape.
  const name = ['append', withTokens ? 'tokens' : 'events', ...tables].join('_');
  const known = appendStatements.get(name);
  if (known) return known;
  const parts = [
    `i AS (SELECT * FROM jsonb_to_recordset($1::jsonb)
       AS i(code text, seq integer, type text, at float8, event jsonb))`,
    // Both checks are per-row index lookups, written as scalar subqueries so that no plan turns
    // them into a scan of the whole table (PGlite runs no autovacuum, so its statistics are old).
    `written AS (INSERT INTO session_events (code, seq, type, event, at)
       SELECT i.code, i.seq, i.type, i.event, ${TS('i.at')} FROM i
       WHERE (SELECT true FROM sessions s WHERE s.code = i.code)
         AND coalesce((SELECT max(e.seq) FROM session_events e WHERE e.code = i.code), 0) = i.seq - 1
       ON CONFLICT (code, seq) DO NOTHING
       RETURNING code)`,
  ];
  let param = 2;
  if (withTokens) {
    parts.push(`tokens AS (INSERT INTO participant_tokens (code, participant_id, token_hash)
       SELECT t.code, t.participant_id, t.token_hash FROM jsonb_to_recordset($${param++}::jsonb) AS t(code text, participant_id text, token_hash text)
       WHERE t.code IN (SELECT code FROM written))`);
  }
  for (const table of tables) parts.push(`p_${table} AS (${upsertManyStatement(table, `$${param++}`, 'SELECT code FROM written')})`);
  const statement = { name, sql: `WITH ${parts.join(',\n')}\nSELECT code FROM written` };
  appendStatements.set(name, statement);
  return statement;
}
