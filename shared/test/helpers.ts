/**
 * Test helpers: a simulated round driven by pure transitions (startRound/applyEvent) with a
 * clock the test advances itself. Not a test file (vitest only collects *.test.ts).
 */
import { expect } from 'vitest';
import {
  applyEvent,
  DEFAULT_DURATIONS,
  startRound,
  type Caller,
  type Format,
  type RoundEvent,
  type RoundInput,
  type RoundState,
  type SessionSettings,
} from '../src/index.js';

export const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
export const SEC = 1000;
export const MIN = 60 * SEC;

export const FACILITATOR: Caller = { role: 'facilitator' };
export const BOARD: Caller = { role: 'board' };
export const SYSTEM: Caller = { role: 'system' };
export const as = (participantId: string): Caller => ({ role: 'participant', participantId });

export type EventType = RoundEvent['type'];
export type EventOf<T extends EventType> = Extract<RoundEvent, { type: T }>;
export type PayloadOf<T extends EventType> = Omit<EventOf<T>, 'type' | 'at' | 'caller' | 'id'>;

export function settings(overrides: Partial<SessionSettings> = {}, format: Format = 'focus'): SessionSettings {
  return {
    durations: { ...DEFAULT_DURATIONS[format] },
    totalMs: null,
    autoAdvance: false,
    hideUntilReveal: false,
    allowAnonymous: true,
    dots: 3,
    ...overrides,
  };
}

export function roundInput(format: Format, overrides: Partial<SessionSettings> = {}): RoundInput {
  return { code: 'K7M2QX', title: 'Leader network, spring', format, settings: settings(overrides, format), createdAt: T0 };
}

/** Deep copy, so a test can prove a refused event left the state untouched. */
export const clone = <T>(value: T): T => structuredClone(value);

/**
 * A round under test: `send` applies an event at the simulated `now` and fails the test when
 * the engine refuses it; `refuse` asserts the engine refuses it and that nothing changed.
 */
export class Sim {
  state: RoundState;
  now: number;
  private seq = 0;

  constructor(input: RoundInput) {
    this.state = startRound(input);
    this.now = input.createdAt;
  }

  get phase() {
    return this.state.phase;
  }
  get ctx() {
    return this.state.context;
  }

  tick(ms: number): this {
    this.now += ms;
    return this;
  }

  event<T extends EventType>(type: T, payload: PayloadOf<T>, caller: Caller, opts: { id?: string; at?: number } = {}): EventOf<T> {
    return { type, ...payload, caller, at: opts.at ?? this.now, id: opts.id ?? `evt-${++this.seq}` } as unknown as EventOf<T>;
  }

  /** What the engine would do, without applying it. */
  attempt<T extends EventType>(type: T, payload: PayloadOf<T>, caller: Caller, opts: { id?: string; at?: number } = {}) {
    return applyEvent(this.state, this.event(type, payload, caller, opts));
  }

  send<T extends EventType>(type: T, payload: PayloadOf<T>, caller: Caller, opts: { id?: string; at?: number } = {}): RoundState {
    const next = this.attempt(type, payload, caller, opts);
    if (!next) throw new Error(`engine refused ${type} from ${JSON.stringify(caller)} in ${this.state.phase}`);
    this.state = next;
    return next;
  }

  refuse<T extends EventType>(type: T, payload: PayloadOf<T>, caller: Caller, opts: { id?: string; at?: number } = {}): void {
    const before = clone(this.state);
    const next = this.attempt(type, payload, caller, opts);
    expect(next, `${type} from ${JSON.stringify(caller)} in ${this.state.phase} should be refused`).toBeNull();
    expect(this.state).toEqual(before);
  }

  join(name: string, id = `p-${name.toLowerCase()}`): string {
    this.send('participant:join', { name }, SYSTEM, { id });
    return id;
  }

  submit(participantId: string, title: string, id = `c-${participantId}`): string {
    this.send('challenge:submit', { title, context: `${title}: context`, question: `${title}: how do I?` }, as(participantId), { id });
    return id;
  }

  // Facilitator commands; they return the sim so calls chain with tick().
  start(payload: PayloadOf<'round:start'> = { shuffle: false }, id?: string): this {
    this.send('round:start', payload, FACILITATOR, id ? { id } : {});
    return this;
  }
  next(): this {
    this.send('round:next', {}, FACILITATOR);
    return this;
  }
  back(): this {
    this.send('round:back', {}, FACILITATOR);
    return this;
  }
  pause(): this {
    this.send('round:pause', {}, FACILITATOR);
    return this;
  }
  resume(): this {
    this.send('round:resume', {}, FACILITATOR);
    return this;
  }
  addTime(ms: number): this {
    this.send('round:addTime', { ms }, FACILITATOR);
    return this;
  }
  /** The server's time-out: at the later of now and the deadline it armed for. */
  timeout(at = this.now) {
    return applyEvent(this.state, this.event('round:timeout', {}, SYSTEM, { at }));
  }

  /** Running clock's deadline; fails if the clock is not running. */
  get deadline(): number {
    const t = this.ctx.timer;
    if (t.status !== 'running') throw new Error(`timer is ${t.status}, not running`);
    return t.deadline;
  }
}
