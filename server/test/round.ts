/**
 * Real rounds for storage tests, built with the engine (startRound/applyEvent) so what is
 * stored is what the server would store. Not a test file (vitest collects *.test.ts only).
 */
import {
  applyEvent,
  DEFAULT_DURATIONS,
  startRound,
  type Caller,
  type Format,
  type RoundEvent,
  type RoundState,
  type SessionSettings,
} from '@kollegium/shared';
import type { ParticipantToken, SessionRecord } from '../src/sessions/store.js';

/** A Monday morning, with milliseconds so time round trips are checked to the millisecond. */
export const T0 = Date.UTC(2025, 0, 6, 9, 0, 0, 123);
export const MIN = 60_000;

export const FACILITATOR: Caller = { role: 'facilitator' };
export const SYSTEM: Caller = { role: 'system' };
export const as = (participantId: string): Caller => ({ role: 'participant', participantId });

export interface Step {
  seq: number;
  event: RoundEvent;
  /** The state after the event. */
  state: RoundState;
  token?: ParticipantToken;
}

let codes = 0;
/** A code no other test in this process uses (stores in a file are shared between tests). */
export const freshCode = () => `T${process.pid.toString(36).toUpperCase()}${(++codes).toString(36).toUpperCase()}${Math.random().toString(36).slice(2, 6).toUpperCase()}`;

export const tokenHash = (code: string, participantId: string) => `hash:${code}:${participantId}`;

/** Applies events one by one and records every step; fails loudly when the engine refuses one. */
export class RoundDriver {
  readonly initial: RoundState;
  state: RoundState;
  now: number;
  readonly steps: Step[] = [];
  private ids = 0;

  constructor(
    readonly code: string,
    readonly createdAt = T0,
    overrides: Partial<SessionSettings> = {},
    format: Format = 'focus',
  ) {
    this.initial = startRound({
      code,
      title: 'Leader network, spring',
      format,
      createdAt,
      settings: {
        durations: { ...DEFAULT_DURATIONS[format] },
        totalMs: null,
        autoAdvance: false,
        hideUntilReveal: false,
        allowAnonymous: true,
        dots: 3,
        ...overrides,
      },
    });
    this.state = this.initial;
    this.now = createdAt;
  }

  get record(): SessionRecord {
    return { code: this.code, facilitatorKeyHash: `fac:${this.code}`, boardKeyHash: `board:${this.code}`, createdAt: this.createdAt, seq: 0, state: this.initial };
  }

  send(type: RoundEvent['type'], payload: Record<string, unknown>, caller: Caller, id = `e${++this.ids}`): Step {
    this.now += 1000;
    const event = { type, ...payload, caller, at: this.now, id } as RoundEvent;
    const next = applyEvent(this.state, event);
    if (!next) throw new Error(`engine refused ${type} from ${JSON.stringify(caller)} in ${this.state.phase}`);
    this.state = next;
    const step: Step = { seq: this.steps.length + 1, event, state: next };
    this.steps.push(step);
    return step;
  }

  join(name: string): string {
    const id = `p-${name.toLowerCase()}`;
    const step = this.send('participant:join', { name }, SYSTEM, id);
    step.token = { code: this.code, participantId: id, tokenHash: tokenHash(this.code, id) };
    return id;
  }
}

/**
 * A short focus round: three join, two challenges, votes (one retracted), one in focus,
 * contributions (one marked useful, one hidden), a note, a next step, an evaluation, and at the
 * end one participant removed (with their votes) — every projection table gets rows, and some
 * rows are updated and deleted on the way.
 */
export function focusRound(code = freshCode(), createdAt = T0): RoundDriver {
  const r = new RoundDriver(code, createdAt);
  const ada = r.join('Ada');
  const ben = r.join('Ben');
  const cem = r.join('Cem');
  r.send('challenge:submit', { title: 'Hybrid team', context: 'Half remote', question: 'How do I keep them together?' }, as(ada), 'c-ada');
  r.send('challenge:submit', { title: 'New role', context: '', question: 'What first?' }, as(ben), 'c-ben');
  r.send('round:start', { shuffle: false }, FACILITATOR);
  r.send('vote:cast', { challengeId: 'c-ada' }, as(ben));
  r.send('vote:cast', { challengeId: 'c-ada' }, as(cem));
  r.send('vote:cast', { challengeId: 'c-ada' }, as(cem));
  r.send('vote:cast', { challengeId: 'c-ben' }, as(ada));
  r.send('vote:retract', { challengeId: 'c-ben' }, as(ada));
  r.send('challenge:pick', {}, FACILITATOR);
  r.send('challenge:confirm', {}, as(ada));
  r.send('contribution:add', { kind: 'question', text: 'Who decides what?', anonymous: false }, as(ben), 'k-ben');
  r.send('note:set', { challengeId: 'c-ada', text: 'ask about rituals' }, as(cem));
  r.send('round:next', {}, FACILITATOR);
  r.send('round:next', {}, FACILITATOR);
  r.send('contribution:add', { kind: 'reflection', text: 'Sounds like trust.', anonymous: true }, as(cem), 'k-cem');
  r.send('contribution:markUseful', { contributionId: 'k-cem', useful: true }, as(ada));
  r.send('contribution:hide', { contributionId: 'k-ben', hidden: true }, FACILITATOR);
  r.send('round:next', {}, FACILITATOR);
  r.send('nextStep:add', { text: 'Weekly check-in' }, as(ada), 'n-1');
  r.send('round:next', {}, FACILITATOR);
  r.send('round:next', {}, FACILITATOR);
  r.send('evaluation:submit', { usefulness: 5, process: 4, comment: 'Good' }, as(ben));
  r.send('participant:remove', { participantId: cem }, FACILITATOR);
  return r;
}
