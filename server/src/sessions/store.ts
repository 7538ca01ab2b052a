import type { RoundEvent, RoundState } from '@kollegium/shared';

/** Everything the server keeps about one session besides the participants' tokens. */
export interface SessionRecord {
  code: string;
  facilitatorKeyHash: string;
  boardKeyHash: string;
  createdAt: number;
  seq: number;
  state: RoundState;
}

export interface ParticipantToken {
  code: string;
  participantId: string;
  tokenHash: string;
}

/** One applied event as logged, numbered by the session version it produced. */
export interface StoredEvent {
  seq: number;
  event: RoundEvent;
}

/**
 * `append` found the session at another version than `seq - 1`: someone else (another process)
 * wrote first. Nothing was written; the caller must reload rather than fork the round.
 */
export class VersionConflict extends Error {
  override readonly name = 'VersionConflict';
  constructor(
    readonly sessionCode: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`version conflict on ${sessionCode}: stored at ${actual}, append expected ${expected}`);
  }
}

/**
 * The storage port. Every write is awaited before the command is acknowledged, so an
 * acknowledged command survives whatever the implementation promises to survive.
 */
export interface SessionStore {
  create(record: SessionRecord): Promise<void>;
  load(code: string): Promise<SessionRecord | null>;
  /**
   * Appends one applied event and the state after it; `seq` is the new version. All of it or
   * nothing; rejects with VersionConflict when the stored version is not `seq - 1`. `prev`, the
   * state the event was applied to, lets a store write only what changed.
   */
  append(code: string, seq: number, event: RoundEvent, state: RoundState, token?: ParticipantToken, prev?: RoundState): Promise<void>;
  /** The logged events after version `afterSeq`, oldest first. */
  events(code: string, afterSeq: number): Promise<StoredEvent[]>;
  /** Null for unknown and for revoked tokens. */
  findParticipant(code: string, tokenHash: string): Promise<string | null>;
  /**
   * Every token of the session that is not revoked: a live session checks its participants'
   * reconnects against them without a read each.
   */
  participantTokens(code: string): Promise<ParticipantToken[]>;
  /** Every token of this participant stops being valid. */
  revokeParticipant(code: string, participantId: string): Promise<void>;
  /** Removes the session and everything stored about it; false if there was none. */
  delete(code: string): Promise<boolean>;
  /** Deletes sessions whose last write (create or append, by the events' clock) is before `cutoff`; returns their codes. */
  deleteInactiveSince(cutoff: number): Promise<string[]>;
  /** Periodic housekeeping (see Db.maintain); nothing to do for some stores. */
  maintain(): Promise<void>;
  close(): Promise<void>;
}

/** Keeps sessions in memory for tests and as a reference for the contract. */
export class MemoryStore implements SessionStore {
  private sessions = new Map<string, SessionRecord>();
  private log = new Map<string, StoredEvent[]>();
  /** Last write per session, for deleteInactiveSince. */
  private activity = new Map<string, number>();
  private tokens = new Map<string, { participantId: string; revoked: boolean }>();

  async create(record: SessionRecord): Promise<void> {
    if (this.sessions.has(record.code)) throw new Error(`session ${record.code} exists`);
    this.sessions.set(record.code, structuredClone(record));
    this.log.set(record.code, []);
    this.activity.set(record.code, record.createdAt);
  }

  async load(code: string): Promise<SessionRecord | null> {
    const record = this.sessions.get(code);
    return record ? structuredClone(record) : null;
  }

  async append(code: string, seq: number, event: RoundEvent, state: RoundState, token?: ParticipantToken) {
    const record = this.sessions.get(code);
    if (!record) throw new Error(`no session ${code}`);
    if (record.seq !== seq - 1) throw new VersionConflict(code, seq - 1, record.seq);
    // As the SQL stores' primary key does: a token hash is given out once per session.
    if (token && this.tokens.has(`${code}:${token.tokenHash}`)) throw new Error(`token exists in session ${code}`);
    record.seq = seq;
    record.state = structuredClone(state);
    this.log.get(code)!.push({ seq, event: structuredClone(event) });
    this.activity.set(code, Math.max(this.activity.get(code) ?? record.createdAt, event.at));
    if (token) this.tokens.set(`${code}:${token.tokenHash}`, { participantId: token.participantId, revoked: false });
  }

  async events(code: string, afterSeq: number): Promise<StoredEvent[]> {
    return structuredClone((this.log.get(code) ?? []).filter((e) => e.seq > afterSeq));
  }

  async findParticipant(code: string, tokenHash: string): Promise<string | null> {
    const token = this.tokens.get(`${code}:${tokenHash}`);
    return token && !token.revoked ? token.participantId : null;
  }

  async participantTokens(code: string): Promise<ParticipantToken[]> {
    const prefix = `${code}:`;
    return [...this.tokens]
      .filter(([key, token]) => key.startsWith(prefix) && !token.revoked)
      .map(([key, token]) => ({ code, participantId: token.participantId, tokenHash: key.slice(prefix.length) }));
  }

  async revokeParticipant(code: string, participantId: string): Promise<void> {
    for (const [key, token] of this.tokens) {
      if (key.startsWith(`${code}:`) && token.participantId === participantId) token.revoked = true;
    }
  }

  async delete(code: string): Promise<boolean> {
    if (!this.sessions.delete(code)) return false;
    this.log.delete(code);
    this.activity.delete(code);
    for (const key of this.tokens.keys()) if (key.startsWith(`${code}:`)) this.tokens.delete(key);
    return true;
  }

  async deleteInactiveSince(cutoff: number): Promise<string[]> {
    const stale = [...this.activity].filter(([, at]) => at < cutoff).map(([code]) => code);
    for (const code of stale) await this.delete(code);
    return stale;
  }

  async maintain(): Promise<void> {}

  async close(): Promise<void> {}
}
