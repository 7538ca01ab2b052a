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

/**
 * The storage port. Every write is awaited before the command is acknowledged, so an
 * acknowledged command survives whatever the implementation promises to survive.
 */
export interface SessionStore {
  create(record: SessionRecord): Promise<void>;
  load(code: string): Promise<SessionRecord | null>;
  /** Appends one applied event and the state after it; `seq` is the new version. */
  append(code: string, seq: number, event: RoundEvent, state: RoundState, token?: ParticipantToken): Promise<void>;
  findParticipant(code: string, tokenHash: string): Promise<string | null>;
  close(): Promise<void>;
}

/** Keeps sessions in memory for tests and as a reference for the contract. */
export class MemoryStore implements SessionStore {
  private sessions = new Map<string, SessionRecord>();
  private events = new Map<string, { seq: number; event: RoundEvent }[]>();
  private tokens = new Map<string, string>();

  async create(record: SessionRecord): Promise<void> {
    if (this.sessions.has(record.code)) throw new Error(`session ${record.code} exists`);
    this.sessions.set(record.code, structuredClone(record));
    this.events.set(record.code, []);
  }

  async load(code: string): Promise<SessionRecord | null> {
    const record = this.sessions.get(code);
    return record ? structuredClone(record) : null;
  }

  async append(code: string, seq: number, event: RoundEvent, state: RoundState, token?: ParticipantToken) {
    const record = this.sessions.get(code);
    if (!record) throw new Error(`no session ${code}`);
    if (record.seq !== seq - 1) throw new Error(`version conflict on ${code}: at ${record.seq}, got ${seq}`);
    record.seq = seq;
    record.state = structuredClone(state);
    this.events.get(code)!.push({ seq, event: structuredClone(event) });
    if (token) this.tokens.set(`${code}:${token.tokenHash}`, token.participantId);
  }

  async findParticipant(code: string, tokenHash: string): Promise<string | null> {
    return this.tokens.get(`${code}:${tokenHash}`) ?? null;
  }

  async close(): Promise<void> {}
}
