import { and, assign, setup } from 'xstate';
import type { CommandName, CommandPayload } from './protocol.js';
import { LIMITS } from './limits.js';
import {
  callerId,
  isOwner,
  type Caller,
  type Challenge,
  type RoundContext,
  type SessionSettings,
  type Timer,
} from './model.js';
import { EVERYONE_TURN, splitTurnDurations, type Format, type Phase, type TimedPhase } from './phases.js';

/** Stamped by the server on every event: when, who, and a fresh id for anything it creates. */
export interface EventMeta {
  at: number;
  caller: Caller;
  id: string;
  /** The sender's command id (with who sent it): kept in the log so a resend after a restart is still recognised. */
  cmd?: string;
}

type CommandEvent = {
  [N in CommandName]: { type: N } & Omit<CommandPayload<N>, 'cid'> & EventMeta;
}[CommandName];

export type RoundEvent =
  | CommandEvent
  | ({ type: 'participant:join'; name: string } & EventMeta)
  | ({ type: 'round:timeout' } & EventMeta);

export interface RoundInput {
  code: string;
  title: string;
  format: Format;
  settings: SessionSettings;
  createdAt: number;
}

export function initialContext(input: RoundInput): RoundContext {
  return {
    ...input,
    participants: [],
    challenges: [],
    votes: [],
    focusId: null,
    order: [],
    turn: 0,
    durations: input.settings.durations,
    timer: { status: 'none' },
    locked: false,
    contributions: [],
    revealed: [],
    nextSteps: [],
    notes: [],
    evaluations: [],
  };
}

/** Deterministic shuffle seeded by the event id, so replaying the event log gives the same order. */
function seededShuffle<T>(items: readonly T[], seedText: string): T[] {
  let seed = 0;
  for (const ch of seedText) seed = (Math.imul(seed, 31) + ch.charCodeAt(0)) | 0;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The challenge with most dots; ties go to the one submitted first. */
export function topVoted(ctx: Pick<RoundContext, 'challenges' | 'votes'>): Challenge | undefined {
  const count = (c: Challenge) => ctx.votes.filter((v) => v.challengeId === c.id).length;
  return [...ctx.challenges].sort((a, b) => count(b) - count(a) || a.submittedAt - b.submittedAt)[0];
}

function remaining(timer: Timer, at: number): number {
  if (timer.status === 'running') return Math.max(0, timer.deadline - at);
  if (timer.status === 'paused') return timer.remainingMs;
  return 0;
}

const activeParticipant = (ctx: RoundContext, caller: Caller) => {
  const id = callerId(caller);
  return id !== null && ctx.participants.some((p) => p.id === id && !p.removed);
};

const machineSetup = setup({
  types: {
    context: {} as RoundContext,
    events: {} as RoundEvent,
    input: {} as RoundInput,
  },
  guards: {
    isEveryone: ({ context }) => context.format === 'everyone',
    timeUp: ({ context, event }) => context.timer.status === 'running' && event.at >= context.timer.deadline,
    autoTimeUp: ({ context, event }) =>
      context.settings.autoAdvance && context.timer.status === 'running' && event.at >= context.timer.deadline,
    running: ({ context }) => context.timer.status === 'running',
    paused: ({ context }) => context.timer.status === 'paused',
    canAddTime: ({ context, event }) =>
      event.type === 'round:addTime' &&
      event.ms !== 0 &&
      context.timer.status !== 'none' &&
      (context.timer.status !== 'expired' || event.ms > 0),
    hasChallenges: ({ context }) => context.challenges.length > 0,
    hasPreviousTurn: ({ context }) => context.turn > 0,
    moreTurns: ({ context }) => context.format === 'everyone' && context.turn < context.order.length - 1,
    canJoin: ({ context }) => !context.locked && context.participants.length < LIMITS.maxParticipants,
    canRemove: ({ context, event }) =>
      event.type === 'participant:remove' && context.participants.some((p) => p.id === event.participantId && !p.removed),
    changesLock: ({ context, event }) => event.type === 'session:lock' && event.locked !== context.locked,
    callerIsOwner: ({ context, event }) => isOwner(context, event.caller) && activeParticipant(context, event.caller),
    canSubmitChallenge: ({ context, event }) => {
      if (event.type !== 'challenge:submit' || !activeParticipant(context, event.caller)) return false;
      const mine = context.challenges.find((c) => c.ownerId === callerId(event.caller));
      return mine ? mine.id !== context.focusId : context.challenges.length < LIMITS.maxChallenges;
    },
    canVote: ({ context, event }) => {
      if (event.type !== 'vote:cast' || !activeParticipant(context, event.caller)) return false;
      const used = context.votes.filter((v) => v.participantId === callerId(event.caller)).length;
      return used < context.settings.dots && context.challenges.some((c) => c.id === event.challengeId);
    },
    hasVote: ({ context, event }) =>
      event.type === 'vote:retract' &&
      context.votes.some((v) => v.participantId === callerId(event.caller) && v.challengeId === event.challengeId),
    canPick: ({ context, event }) =>
      event.type === 'challenge:pick' &&
      (event.challengeId === undefined
        ? context.challenges.length > 0
        : context.challenges.some((c) => c.id === event.challengeId)),
    canContribute: ({ context, event }) =>
      event.type === 'contribution:add' &&
      context.focusId !== null &&
      activeParticipant(context, event.caller) &&
      !isOwner(context, event.caller) &&
      (context.settings.allowAnonymous || !event.anonymous) &&
      context.contributions.length < LIMITS.maxContributions,
    canMarkUseful: ({ context, event }) =>
      event.type === 'contribution:markUseful' &&
      isOwner(context, event.caller) &&
      activeParticipant(context, event.caller) &&
      context.contributions.some((c) => c.id === event.contributionId && c.challengeId === context.focusId),
    canAddNextStep: ({ context }) => context.nextSteps.filter((s) => s.challengeId === context.focusId).length < 50,
    hasNextStep: ({ context, event }) =>
      event.type === 'nextStep:remove' &&
      context.nextSteps.some((s) => s.id === event.nextStepId && s.challengeId === context.focusId),
    changesHidden: ({ context, event }) =>
      event.type === 'contribution:hide' &&
      context.contributions.some((c) => c.id === event.contributionId && c.hidden !== event.hidden),
    canReveal: ({ context }) =>
      context.settings.hideUntilReveal && context.focusId !== null && !context.revealed.includes(context.focusId),
    canNote: ({ context, event }) =>
      event.type === 'note:set' &&
      activeParticipant(context, event.caller) &&
      context.challenges.some((c) => c.id === event.challengeId),
    canEvaluate: ({ context, event }) => activeParticipant(context, event.caller),
  },
  actions: {
    startTimer: assign(({ context, event }, params: { phase: TimedPhase }) => {
      const durationMs = context.durations[params.phase];
      return { timer: { status: 'running', deadline: event.at + durationMs, durationMs } satisfies Timer };
    }),
    stopTimer: assign({ timer: { status: 'none' } satisfies Timer }),
    expire: assign(({ context }) => ({
      timer: { status: 'expired', durationMs: 'durationMs' in context.timer ? context.timer.durationMs : 0 } satisfies Timer,
    })),
    pause: assign(({ context, event }) =>
      context.timer.status === 'running'
        ? { timer: { status: 'paused', remainingMs: remaining(context.timer, event.at), durationMs: context.timer.durationMs } satisfies Timer }
        : {},
    ),
    resume: assign(({ context, event }) =>
      context.timer.status === 'paused'
        ? { timer: { status: 'running', deadline: event.at + context.timer.remainingMs, durationMs: context.timer.durationMs } satisfies Timer }
        : {},
    ),
    addTime: assign(({ context, event }) => {
      if (event.type !== 'round:addTime') return {};
      const t = context.timer;
      // Never below zero remaining; added time on an expired clock starts it again.
      if (t.status === 'running') return { timer: { ...t, deadline: Math.max(event.at, t.deadline + event.ms) } };
      if (t.status === 'paused') return { timer: { ...t, remainingMs: Math.max(0, t.remainingMs + event.ms) } };
      if (t.status === 'expired' && event.ms > 0)
        return { timer: { status: 'running', deadline: event.at + event.ms, durationMs: t.durationMs } satisfies Timer };
      return {};
    }),
    join: assign(({ context, event }) =>
      event.type === 'participant:join'
        ? { participants: [...context.participants, { id: event.id, name: event.name, joinedAt: event.at }] }
        : {},
    ),
    submitChallenge: assign(({ context, event }) => {
      if (event.type !== 'challenge:submit') return {};
      const ownerId = callerId(event.caller)!;
      const existing = context.challenges.find((c) => c.ownerId === ownerId);
      const fields = { title: event.title, context: event.context, question: event.question };
      return {
        challenges: existing
          ? context.challenges.map((c) => (c === existing ? { ...c, ...fields } : c))
          : [...context.challenges, { id: event.id, ownerId, submittedAt: event.at, ...fields }],
      };
    }),
    castVote: assign(({ context, event }) =>
      event.type === 'vote:cast'
        ? { votes: [...context.votes, { participantId: callerId(event.caller)!, challengeId: event.challengeId }] }
        : {},
    ),
    retractVote: assign(({ context, event }) => {
      if (event.type !== 'vote:retract') return {};
      const i = context.votes.findIndex((v) => v.participantId === callerId(event.caller) && v.challengeId === event.challengeId);
      return { votes: context.votes.filter((_, j) => j !== i) };
    }),
    pick: assign(({ context, event }) => {
      const chosen = event.type === 'challenge:pick' && event.challengeId ? event.challengeId : topVoted(context)?.id;
      return { focusId: chosen ?? null };
    }),
    clearFocus: assign({ focusId: null }),
    setOrder: assign(({ context, event }) => {
      if (event.type !== 'round:start') return {};
      const ids = context.challenges.map((c) => c.id);
      const given = (event.order ?? []).filter((id, i, all) => ids.includes(id) && all.indexOf(id) === i);
      const order = event.shuffle ? seededShuffle(ids, event.id) : [...given, ...ids.filter((id) => !given.includes(id))];
      const { totalMs } = context.settings;
      const durations = totalMs ? splitTurnDurations(context.settings.durations, totalMs, order.length) : context.durations;
      return { order, turn: 0, focusId: order[0] ?? null, durations };
    }),
    nextTurn: assign(({ context }) => ({ turn: context.turn + 1, focusId: context.order[context.turn + 1] ?? null })),
    previousTurn: assign(({ context }) => ({ turn: context.turn - 1, focusId: context.order[context.turn - 1] ?? null })),
    addContribution: assign(({ context, event }, params: { phase: Phase }) =>
      event.type === 'contribution:add'
        ? {
            contributions: [
              ...context.contributions,
              {
                id: event.id,
                challengeId: context.focusId!,
                authorId: callerId(event.caller)!,
                kind: event.kind,
                text: event.text,
                anonymous: event.anonymous,
                phase: params.phase,
                at: event.at,
                hidden: false,
                useful: false,
              },
            ],
          }
        : {},
    ),
    hideContribution: assign(({ context, event }) =>
      event.type === 'contribution:hide'
        ? { contributions: context.contributions.map((c) => (c.id === event.contributionId ? { ...c, hidden: event.hidden } : c)) }
        : {},
    ),
    markUseful: assign(({ context, event }) =>
      event.type === 'contribution:markUseful'
        ? { contributions: context.contributions.map((c) => (c.id === event.contributionId ? { ...c, useful: event.useful } : c)) }
        : {},
    ),
    reveal: assign(({ context }) => ({ revealed: [...context.revealed, context.focusId!] })),
    // Leaving reflect forward shows what was held: the owner responds to it and it is in the summary.
    revealOnLeave: assign(({ context }) =>
      context.settings.hideUntilReveal && context.focusId && !context.revealed.includes(context.focusId)
        ? { revealed: [...context.revealed, context.focusId] }
        : {},
    ),
    setLock: assign(({ event }) => (event.type === 'session:lock' ? { locked: event.locked } : {})),
    remove: assign(({ context, event }) =>
      event.type === 'participant:remove'
        ? {
            participants: context.participants.map((p) => (p.id === event.participantId ? { ...p, removed: true } : p)),
            votes: context.votes.filter((v) => v.participantId !== event.participantId),
          }
        : {},
    ),
    addNextStep: assign(({ context, event }) =>
      event.type === 'nextStep:add'
        ? { nextSteps: [...context.nextSteps, { id: event.id, challengeId: context.focusId!, text: event.text, at: event.at }] }
        : {},
    ),
    removeNextStep: assign(({ context, event }) =>
      event.type === 'nextStep:remove' ? { nextSteps: context.nextSteps.filter((s) => s.id !== event.nextStepId) } : {},
    ),
    setNote: assign(({ context, event }) => {
      if (event.type !== 'note:set') return {};
      const participantId = callerId(event.caller)!;
      const others = context.notes.filter((n) => !(n.participantId === participantId && n.challengeId === event.challengeId));
      return { notes: event.text ? [...others, { participantId, challengeId: event.challengeId, text: event.text }] : others };
    }),
    evaluate: assign(({ context, event }) => {
      if (event.type !== 'evaluation:submit') return {};
      const participantId = callerId(event.caller)!;
      return {
        evaluations: [
          ...context.evaluations.filter((e) => e.participantId !== participantId),
          { participantId, usefulness: event.usefulness, process: event.process, comment: event.comment },
        ],
      };
    }),
  },
});

/** Pause, resume and add time: the same in every timed phase. */
const clock = {
  'round:pause': { guard: 'running', actions: 'pause' },
  'round:resume': { guard: 'paused', actions: 'resume' },
  'round:addTime': { guard: 'canAddTime', actions: 'addTime' },
} as const;

const contribute = (phase: Phase) =>
  ({ 'contribution:add': { guard: 'canContribute', actions: { type: 'addContribution', params: { phase } } } }) as const;
const markUseful = { 'contribution:markUseful': { guard: 'canMarkUseful', actions: 'markUseful' } } as const;
const nextSteps = {
  'nextStep:add': { guard: and(['callerIsOwner', 'canAddNextStep']), actions: 'addNextStep' },
  'nextStep:remove': { guard: and(['callerIsOwner', 'hasNextStep']), actions: 'removeNextStep' },
} as const;
const timed = (phase: TimedPhase) => ({ entry: { type: 'startTimer', params: { phase } } }) as const;

/**
 * At time-out a phase either advances (auto-advance) or marks its clock expired and waits for
 * the facilitator. A late or repeated time-out matches no guard and changes nothing.
 */
const expire = { guard: 'timeUp', actions: 'expire' } as const;

const toChoose = [{ target: 'choose' as const, actions: 'clearFocus' }] as const;
const presentNext = [{ guard: 'isEveryone', target: 'reflect' }, { target: 'clarify' }] as const;
const reflectNext = [
  { guard: 'isEveryone', target: 'nextSteps', actions: 'revealOnLeave' },
  { target: 'respond', actions: 'revealOnLeave' },
] as const;
const nextStepsNext = [
  { guard: 'moreTurns', target: 'present', actions: 'nextTurn' },
  { target: 'evaluate' },
] as const;

export const roundMachine = machineSetup.createMachine({
  id: 'round',
  // Actors made without input compute an initial snapshot too (the one behind engine.ts'
  // transitions, and the throwaway one inside XState's initialTransition); without this guard
  // that would throw.
  context: ({ input }) => (input ? initialContext(input) : (undefined as unknown as RoundContext)),
  initial: 'lobby',
  on: {
    'participant:join': { guard: 'canJoin', actions: 'join' },
    'contribution:hide': { guard: 'changesHidden', actions: 'hideContribution' },
    'session:lock': { guard: 'changesLock', actions: 'setLock' },
    'participant:remove': { guard: 'canRemove', actions: 'remove' },
    'round:reveal': { guard: 'canReveal', actions: 'reveal' },
    'note:set': { guard: 'canNote', actions: 'setNote' },
  },
  states: {
    lobby: {
      on: {
        'challenge:submit': { guard: 'canSubmitChallenge', actions: 'submitChallenge' },
        'round:start': [
          { guard: and(['isEveryone', 'hasChallenges']), target: 'present', actions: 'setOrder' },
          { guard: ({ context }) => context.format === 'focus', target: 'choose' },
        ],
      },
    },
    choose: {
      ...timed('choose'),
      on: {
        ...clock,
        'challenge:submit': { guard: 'canSubmitChallenge', actions: 'submitChallenge' },
        'vote:cast': { guard: 'canVote', actions: 'castVote' },
        'vote:retract': { guard: 'hasVote', actions: 'retractVote' },
        'challenge:pick': { guard: 'canPick', target: 'confirm', actions: 'pick' },
        'round:next': { guard: 'hasChallenges', target: 'confirm', actions: 'pick' },
        'round:timeout': [{ guard: and(['autoTimeUp', 'hasChallenges']), target: 'confirm', actions: 'pick' }, expire],
      },
    },
    // The owner confirms they are ready to be in focus; the voting clock keeps running meanwhile.
    confirm: {
      on: {
        ...clock,
        'challenge:confirm': { guard: 'callerIsOwner', target: 'present' },
        // The facilitator may go on without the owner's confirmation (an owner whose phone died).
        'round:next': { target: 'present' },
        'challenge:pick': { guard: 'canPick', actions: 'pick' },
        'round:back': toChoose,
        'round:timeout': expire,
      },
    },
    present: {
      ...timed('present'),
      on: {
        ...clock,
        ...contribute('present'),
        'round:next': presentNext,
        'round:back': [
          { guard: and(['isEveryone', 'hasPreviousTurn']), target: 'nextSteps', actions: 'previousTurn' },
          { guard: ({ context }) => context.format === 'focus', ...toChoose[0] },
        ],
        'round:timeout': [
          { guard: and(['autoTimeUp', 'isEveryone']), target: 'reflect' },
          { guard: 'autoTimeUp', target: 'clarify' },
          expire,
        ],
      },
    },
    clarify: {
      ...timed('clarify'),
      on: {
        ...clock,
        ...contribute('clarify'),
        'round:next': { target: 'reflect' },
        'round:back': { target: 'present' },
        'round:timeout': [{ guard: 'autoTimeUp', target: 'reflect' }, expire],
      },
    },
    reflect: {
      ...timed('reflect'),
      on: {
        ...clock,
        ...contribute('reflect'),
        ...markUseful,
        'round:next': reflectNext,
        'round:back': [{ guard: 'isEveryone', target: 'present' }, { target: 'clarify' }],
        'round:timeout': [
          { guard: and(['autoTimeUp', 'isEveryone']), target: 'nextSteps', actions: 'revealOnLeave' },
          { guard: 'autoTimeUp', target: 'respond', actions: 'revealOnLeave' },
          expire,
        ],
      },
    },
    respond: {
      ...timed('respond'),
      on: {
        ...clock,
        ...markUseful,
        ...nextSteps,
        'round:next': { target: 'nextSteps' },
        'round:back': { target: 'reflect' },
        'round:timeout': [{ guard: 'autoTimeUp', target: 'nextSteps' }, expire],
      },
    },
    nextSteps: {
      ...timed('nextSteps'),
      on: {
        ...clock,
        ...markUseful,
        ...nextSteps,
        'round:next': nextStepsNext,
        'round:back': [{ guard: 'isEveryone', target: 'reflect' }, { target: 'respond' }],
        'round:timeout': [
          { guard: and(['autoTimeUp', 'moreTurns']), target: 'present', actions: 'nextTurn' },
          { guard: 'autoTimeUp', target: 'evaluate' },
          expire,
        ],
      },
    },
    evaluate: {
      ...timed('evaluate'),
      on: {
        ...clock,
        'evaluation:submit': { guard: 'canEvaluate', actions: 'evaluate' },
        'round:next': { target: 'ended' },
        'round:back': { target: 'nextSteps' },
        'round:timeout': [{ guard: 'autoTimeUp', target: 'ended' }, expire],
      },
    },
    ended: {
      entry: 'stopTimer',
      on: {
        'evaluation:submit': { guard: 'canEvaluate', actions: 'evaluate' },
      },
    },
  },
});

export type RoundMachine = typeof roundMachine;

/** The phases one turn of a format walks, for progress displays. */
export function phasesOf(format: Format): readonly Phase[] {
  return format === 'everyone'
    ? ['lobby', ...EVERYONE_TURN, 'evaluate', 'ended']
    : ['lobby', 'choose', 'confirm', 'present', 'clarify', 'reflect', 'respond', 'nextSteps', 'evaluate', 'ended'];
}
