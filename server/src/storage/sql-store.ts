import { applyEvent, type RoundEvent, type RoundState } from '@kollegium/shared';
import {
  VersionConflict,
  type ParticipantToken,
  type SessionRecord,
  type SessionStore,
  type StoredEvent,
} from '../sessions/store.js';
import { isUniqueViolation, type Db } from './db.js';
import { PROJECTION_TABLES, project, tablesTouchedBy } from './projections.js';

// Times are the application's milliseconds; stored as timestamptz for people and queries.
// float8 division keeps sub-second precision; reading back rounds to whole milliseconds.
const TS = (param: string) => `to_timestamp(${param}::float8 / 1000)`;
const MS = (column: string) => `round(extract(epoch FROM ${column}) * 1000)::float8`;

/** The SessionStore on Postgres' SQL, for PGlite and node-postgres alike (see migrations/). */
export class SqlStore implements SessionStore {
  /**
   * The whole state is written every `snapshotEvery` events (and loading replays the few logged
   * after it): writing it on every append would make each write grow with the round.
   */
  constructor(
    readonly db: Db,
    readonly snapshotEvery = 50,
  ) {}

  async create(record: SessionRecord): Promise<void> {
    try {
      await this.db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO sessions (code, facilitator_key_hash, board_key_hash, created_at, updated_at, seq, snapshot_seq, phase, state)
           VALUES ($1, $2, $3, ${TS('$4')}, ${TS('$4')}, $5, $5, $6, $7::jsonb)`,
          [record.code, record.facilitatorKeyHash, record.boardKeyHash, record.createdAt, record.seq, record.state.phase, JSON.stringify(record.state)],
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
   * One transaction: compare-and-set the version, then the event row, the token, the projections
   * the event can touch and, every `snapshotEvery` versions, the snapshot. Under concurrent
   * appends at the same version Postgres makes the second UPDATE wait for the first to commit,
   * re-check `seq`, and match no row. `prev` (the state before the event) lets the projections
   * write only what changed.
   */
  async append(
    code: string,
    seq: number,
    event: RoundEvent,
    state: RoundState,
    token?: ParticipantToken,
    prev?: RoundState,
  ): Promise<void> {
    const snapshot = !prev || seq % this.snapshotEvery === 0;
    await this.db.transaction(async (tx) => {
      const updated = await tx.query(
        snapshot
          ? `UPDATE sessions SET seq = $2, snapshot_seq = $2, phase = $3, state = $5::jsonb, updated_at = greatest(updated_at, ${TS('$4')})
             WHERE code = $1 AND seq = $2 - 1 RETURNING seq`
          : `UPDATE sessions SET seq = $2, phase = $3, updated_at = greatest(updated_at, ${TS('$4')})
             WHERE code = $1 AND seq = $2 - 1 RETURNING seq`,
        snapshot ? [code, seq, state.phase, event.at, JSON.stringify(state)] : [code, seq, state.phase, event.at],
      );
      if (updated.length === 0) {
        const [current] = await tx.query<{ seq: number }>('SELECT seq FROM sessions WHERE code = $1', [code]);
        if (!current) throw new Error(`no session ${code}`);
        throw new VersionConflict(code, seq - 1, current.seq);
      }
      await tx.query(`INSERT INTO session_events (code, seq, type, event, at) VALUES ($1, $2, $3, $4::jsonb, ${TS('$5')})`, [
        code,
        seq,
        event.type,
        JSON.stringify(event),
        event.at,
      ]);
      if (token) {
        await tx.query('INSERT INTO participant_tokens (code, participant_id, token_hash) VALUES ($1, $2, $3)', [
          code,
          token.participantId,
          token.tokenHash,
        ]);
      }
      await project(tx, code, tablesTouchedBy(event.type), state, prev && { state: prev, type: event.type });
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
    const rows = await this.db.query<{ code: string }>(`DELETE FROM sessions WHERE updated_at < ${TS('$1')} RETURNING code`, [cutoff]);
    return rows.map((row) => row.code).sort();
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
