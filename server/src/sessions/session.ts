import { applyEvent, nextDeadline, type CommandAck, type RoundEvent, type RoundState } from '@kollegium/shared';
import { DomainError } from '../errors.js';
import { VersionConflict, type ParticipantToken, type SessionRecord, type SessionStore } from './store.js';

export const REMEMBERED_COMMANDS = 2000;
const MAX_ATTEMPTS = 20;
/** Recent states kept for catching up a client that missed a few versions (they share structure). */
const REMEMBERED_STATES = 32;

/**
 * One live session in this process. Commands are applied one at a time, in arrival order:
 * apply to the machine → write durably → only then does the new state become current.
 */
export class LiveSession {
  readonly code: string;
  readonly facilitatorKeyHash: string;
  readonly boardKeyHash: string;
  state: RoundState;
  seq: number;
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * Answers to recent command ids, so a command resent after a lost ack is not applied twice:
   * the pending answer while a command is in flight, the answer itself once it is known.
   */
  private answered = new Map<string, CommandAck | Promise<CommandAck>>();
  private readLogged: (() => Promise<readonly { seq: number; event: RoundEvent }[]>) | null = null;
  private loggedRecalled: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private history = new Map<number, RoundState>();
  /**
   * Device tokens (hash → participant id) given out or verified here, so a participant's
   * reconnect needs no database read; whether the participant is still in the round is checked
   * against the state each time.
   */
  private tokens = new Map<string, string>();

  constructor(
    record: SessionRecord,
    private readonly store: SessionStore,
  ) {
    this.code = record.code;
    this.facilitatorKeyHash = record.facilitatorKeyHash;
    this.boardKeyHash = record.boardKeyHash;
    this.state = record.state;
    this.seq = record.seq;
    this.history.set(this.seq, this.state);
  }

  /**
   * Where the commands of recently logged events are read, so that resends after a restart are not
   * applied twice. Read at the session's first command (`recallLogged`), not when it loads: after a
   * restart every live session loads at once, while its clients reconnect.
   */
  recallLoggedFrom(read: () => Promise<readonly { seq: number; event: RoundEvent }[]>): void {
    this.readLogged = read;
  }

  /** Resolves once the commands logged before this process loaded the session are remembered. */
  recallLogged(): Promise<void> {
    const read = this.readLogged;
    if (!read) return Promise.resolve();
    this.loggedRecalled ??= read().then(
      (events) => {
        this.readLogged = null;
        for (const { seq, event } of events) if (event.cmd && !this.answered.has(event.cmd)) this.remember(event.cmd, { ok: true, seq });
      },
      (error: unknown) => {
        // Read again by the next command.
        this.loggedRecalled = null;
        throw error;
      },
    );
    return this.loggedRecalled;
  }

  /** The state at an earlier version, if still remembered. */
  stateAt(seq: number): RoundState | undefined {
    return this.history.get(seq);
  }

  /** Runs `work` after every command queued before it: one order of commands per session. */
  serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Applies an event and writes it; throws NOT_ALLOWED_NOW if the machine refuses it. When
   * another process wrote first (a version conflict), reloads the round and tries again on top.
   */
  async apply(event: RoundEvent, token?: ParticipantToken): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const next = applyEvent(this.state, event);
      if (!next) {
        throw new DomainError('NOT_ALLOWED_NOW', `“${event.type}” is not possible now (phase: ${this.state.phase}).`);
      }
      const seq = this.seq + 1;
      try {
        await this.store.append(this.code, seq, event, next, token, this.state);
      } catch (error) {
        if (!(error instanceof VersionConflict)) throw error;
        // Another process keeps writing to this round: catch up and try on top, a bounded
        // number of times; past that the sender is told to try again (its outbox will).
        if (attempt >= MAX_ATTEMPTS) throw new DomainError('UNAVAILABLE', 'The round is busy; try again.');
        const logged = await this.catchUp();
        // This very command was applied by another process already (sent again after that one
        // died before answering): its version is the answer.
        const earlier = event.cmd ? logged.get(event.cmd) : undefined;
        if (earlier !== undefined) return earlier;
        continue;
      }
      this.advance(seq, next);
      if (token) this.tokens.set(token.tokenHash, token.participantId);
      return seq;
    }
  }

  /** The participant a device token was given to, if this process knows the token. */
  knownToken(tokenHash: string): string | undefined {
    return this.tokens.get(tokenHash);
  }

  rememberToken(tokenHash: string, participantId: string): void {
    this.tokens.set(tokenHash, participantId);
  }

  /** The participant's tokens are revoked (removed from the round). */
  forgetTokensOf(participantId: string): void {
    for (const [hash, id] of this.tokens) if (id === participantId) this.tokens.delete(hash);
  }

  /**
   * Catches up with what another process wrote by replaying its logged events on our state:
   * the machine is deterministic, so this gives the same state, and unchanged items stay the
   * same objects (small patches). Falls back to loading the snapshot if the log disagrees.
   * Returns the command ids of the events replayed, with their versions.
   */
  async catchUp(): Promise<Map<string, number>> {
    const logged = new Map<string, number>();
    for (const { seq, event } of await this.store.events(this.code, this.seq)) {
      const next = seq === this.seq + 1 ? applyEvent(this.state, event) : null;
      if (!next) {
        await this.reload();
        return logged;
      }
      this.advance(seq, next);
      if (event.cmd) {
        this.remember(event.cmd, { ok: true, seq });
        logged.set(event.cmd, seq);
      }
    }
    return logged;
  }

  private async reload(): Promise<void> {
    const record = await this.store.load(this.code);
    if (!record) throw new DomainError('NOT_FOUND', 'This session was deleted.');
    if (record.seq > this.seq) this.advance(record.seq, record.state);
  }

  private advance(seq: number, state: RoundState): void {
    this.state = state;
    this.seq = seq;
    this.history.set(seq, state);
    this.history.delete(seq - REMEMBERED_STATES);
  }

  recall(key: string): CommandAck | Promise<CommandAck> | undefined {
    return this.answered.get(key);
  }

  forget(key: string): void {
    this.answered.delete(key);
  }

  remember(key: string, ack: CommandAck | Promise<CommandAck>): void {
    this.answered.set(key, ack);
    // Once known, the answer itself is kept rather than the promise of it.
    if (ack instanceof Promise) void ack.then((value) => this.answered.get(key) === ack && this.answered.set(key, value));
    if (this.answered.size > REMEMBERED_COMMANDS) {
      this.answered.delete(this.answered.keys().next().value!);
    }
  }

  /** Arms one timer for the running phase's absolute deadline (after a restart too). */
  arm(onDeadline: (deadline: number) => void, now: number): void {
    this.disarm();
    const deadline = nextDeadline(this.state);
    if (deadline === null) return;
    this.timer = setTimeout(() => onDeadline(deadline), Math.max(0, deadline - now));
  }

  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
