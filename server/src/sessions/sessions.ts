import {
  DEFAULT_DURATIONS,
  TIMED_PHASES,
  startRound,
  type CreateSessionRequest,
  type JoinResponse,
  type RoundEvent,
} from '@kollegium/shared';
import type { z } from 'zod';
import type { CreateSessionRequest as CreateSchema } from '@kollegium/shared';
import { DomainError } from '../errors.js';
import type { Logger } from '../logger.js';
import { LiveSession, REMEMBERED_COMMANDS } from './session.js';
import { boardKeyFor, hashSecret, newId, newJoinCode, newSecret, secretMatches } from './secrets.js';
import type { SessionStore } from './store.js';

export interface CreatedSession {
  code: string;
  facilitatorKey: string;
  boardKey: string;
}

type Settings = z.output<typeof CreateSchema>;

/**
 * The live sessions of this process, loaded lazily from the store. Every change goes through
 * `apply`; `onChange` tells the real-time layer to send fresh views.
 */
export class Sessions {
  private live = new Map<string, Promise<LiveSession | null>>();
  /** A session changed here: tell local clients and other processes. */
  onChange: (session: LiveSession) => void = () => {};
  /** A session was deleted: its connections are to be closed, here and elsewhere. */
  onDelete: (code: string) => void = () => {};
  /** The same, for changes that came from another process (local clients only). */
  onLocalChange: (session: LiveSession) => void = () => {};
  onLocalDelete: (code: string) => void = () => {};

  constructor(
    private readonly store: SessionStore,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  async create(request: Settings): Promise<CreatedSession> {
    const durations = { ...DEFAULT_DURATIONS[request.format] };
    for (const phase of TIMED_PHASES) {
      const minutes = request.minutes[phase];
      if (minutes !== undefined) durations[phase] = Math.round(minutes * 60_000);
    }
    const facilitatorKey = newSecret();
    const createdAt = this.now();
    for (let attempt = 0; attempt < 10; attempt++) {
      const code = newJoinCode();
      if (await this.store.load(code)) continue;
      const boardKey = boardKeyFor(facilitatorKey, code);
      const state = startRound({
        code,
        title: request.title,
        format: request.format,
        createdAt,
        settings: {
          durations,
          totalMs: request.totalMinutes ? Math.round(request.totalMinutes * 60_000) : null,
          autoAdvance: request.autoAdvance,
          hideUntilReveal: request.hideUntilReveal,
          allowAnonymous: request.allowAnonymous,
          dots: request.dots,
        },
      });
      await this.store.create({
        code,
        facilitatorKeyHash: hashSecret(facilitatorKey),
        boardKeyHash: hashSecret(boardKey),
        createdAt,
        seq: 0,
        state,
      });
      this.logger.info({ session: code, format: request.format }, 'session created');
      return { code, facilitatorKey, boardKey };
    }
    throw new DomainError('UNAVAILABLE', 'Could not find a free join code; try again.');
  }

  /** The live session for a code, loading it (and re-arming its clock) on first use. */
  get(code: string): Promise<LiveSession | null> {
    let pending = this.live.get(code);
    if (!pending) {
      pending = this.store.load(code).then(async (record) => {
        if (!record) {
          this.live.delete(code);
          return null;
        }
        const session = new LiveSession(record, this.store);
        session.recallLoggedFrom(() => this.store.events(code, Math.max(0, record.seq - REMEMBERED_COMMANDS)));
        // One read for the whole room, instead of one per participant when they all reconnect.
        for (const token of await this.store.participantTokens(code)) session.rememberToken(token.tokenHash, token.participantId);
        this.arm(session);
        return session;
      });
      pending.catch(() => this.live.delete(code));
      this.live.set(code, pending);
    }
    return pending;
  }

  async require(code: string): Promise<LiveSession> {
    const session = await this.get(code);
    if (!session) throw new DomainError('NOT_FOUND', 'No session has this code.');
    return session;
  }

  /** Applies one event in the session's order and writes it before anyone hears of it. */
  async apply(session: LiveSession, event: RoundEvent, token?: Parameters<LiveSession['apply']>[1]): Promise<number> {
    let before = session.seq;
    try {
      const seq = await session.serialize(async () => {
        before = session.seq;
        const seq = await session.apply(event, token);
        if (event.type === 'participant:remove') {
          session.forgetTokensOf(event.participantId);
          await this.store.revokeParticipant(session.code, event.participantId);
        }
        return seq;
      });
      this.arm(session);
      return seq;
    } catch (error) {
      // Refused after catching up with another process's write (e.g. its time-out came first):
      // what we caught up with still needs our clock and our clients.
      if (session.seq !== before) {
        this.arm(session);
        this.onLocalChange(session);
      }
      throw error;
    }
  }

  /**
   * Another process changed a session (to version `seq`; unknown: whatever the log has): if it is
   * live here too, catch up and tell our clients.
   */
  async changedElsewhere(code: string, seq = Number.POSITIVE_INFINITY): Promise<void> {
    const session = await this.live.get(code)?.catch(() => null);
    if (!session || session.seq >= seq) return;
    const before = session.seq;
    await session.serialize(() => session.catchUp());
    this.arm(session);
    if (session.seq !== before) this.onLocalChange(session);
  }

  /** Another process deleted a session: forget it and close our connections to it. */
  async deletedElsewhere(code: string): Promise<void> {
    (await this.live.get(code)?.catch(() => null))?.disarm();
    this.live.delete(code);
    this.onLocalDelete(code);
  }

  /** Deletes a session and all its data; everyone connected to it is disconnected. */
  async delete(code: string): Promise<boolean> {
    const live = await this.live.get(code)?.catch(() => null);
    live?.disarm();
    this.live.delete(code);
    const deleted = await this.store.delete(code);
    if (deleted) {
      this.logger.info({ session: code }, 'session deleted');
      this.onDelete(code);
    }
    return deleted;
  }

  /** Deletes sessions without activity since `cutoff` (the retention setting). */
  async expire(cutoff: number): Promise<string[]> {
    const codes = await this.store.deleteInactiveSince(cutoff);
    for (const code of codes) {
      (await this.live.get(code)?.catch(() => null))?.disarm();
      this.live.delete(code);
      this.onDelete(code);
    }
    if (codes.length) this.logger.info({ count: codes.length }, 'expired sessions deleted');
    return codes;
  }

  async join(code: string, name: string): Promise<JoinResponse> {
    const session = await this.require(code);
    if (session.state.context.locked) throw new DomainError('SESSION_LOCKED', 'This session is locked; ask the facilitator to open it.');
    const participantId = newId();
    const token = newSecret();
    const event: RoundEvent = { type: 'participant:join', name, at: this.now(), id: participantId, caller: { role: 'system' } };
    await this.apply(session, event, { code, participantId, tokenHash: hashSecret(token) });
    this.onChange(session);
    return { participantId, token };
  }

  async participantFor(code: string, token: string): Promise<string | null> {
    const session = await this.get(code);
    if (!session) return null;
    const tokenHash = hashSecret(token);
    // The session knows its tokens from its load, its joins here and earlier checks, so a
    // reconnect needs no database read (a whole room reconnects at once after a restart or a
    // Wi-Fi drop); one given out by another process since is read once.
    let participantId = session.knownToken(tokenHash);
    if (!participantId) {
      const found = await this.store.findParticipant(code, tokenHash);
      if (!found) return null;
      session.rememberToken(tokenHash, (participantId = found));
    }
    const find = () => session.state.context.participants.find((p) => p.id === participantId);
    // Joined through another process a moment ago: its notice may not have arrived yet.
    if (!find()) await this.changedElsewhere(code);
    const participant = find();
    if (participant && !participant.removed) return participantId;
    // Removed (here or by another process, whose revocation the cache would not see).
    session.forgetTokensOf(participantId);
    return null;
  }

  keyMatches(session: LiveSession, role: 'facilitator' | 'board', key: string): boolean {
    return secretMatches(key, role === 'facilitator' ? session.facilitatorKeyHash : session.boardKeyHash);
  }

  private arm(session: LiveSession): void {
    session.arm((deadline) => void this.timeout(session, deadline), this.now());
  }

  /** A phase's deadline passed: the machine advances or marks the clock expired, once. */
  private async timeout(session: LiveSession, deadline: number): Promise<void> {
    const event: RoundEvent = { type: 'round:timeout', at: Math.max(this.now(), deadline), id: newId(), caller: { role: 'system' } };
    try {
      await this.apply(session, event);
      this.logger.info({ session: session.code, phase: session.state.phase }, 'phase timed out');
      this.onChange(session);
    } catch (error) {
      // Refused means the deadline moved meanwhile (pause, add time): the clock was re-armed.
      if (!(error instanceof DomainError)) {
        this.logger.error({ session: session.code, err: error }, 'time-out failed; retrying');
        setTimeout(() => void this.timeout(session, deadline), 1000).unref();
      }
    }
  }

  async close(): Promise<void> {
    for (const pending of this.live.values()) (await pending.catch(() => null))?.disarm();
    this.live.clear();
  }
}

export type { CreateSessionRequest };
