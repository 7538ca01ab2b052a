import type { RoundState } from './engine.js';
import { ownerOf, type ContributionKind, type Evaluation, type NextStep, type Note, type Timer } from './model.js';
import type { Durations, Format, Phase } from './phases.js';
import { PROTOCOL_VERSION } from './protocol.js';

export type Viewer = { role: 'facilitator' } | { role: 'participant'; participantId: string } | { role: 'board' };

export interface ContributionView {
  id: string;
  challengeId: string;
  kind: ContributionKind;
  text: string;
  /** Null when posted anonymously, except in the author's own view. */
  authorId: string | null;
  authorName: string | null;
  anonymous: boolean;
  mine: boolean;
  phase: Phase;
  at: number;
  /** Hidden by the facilitator: only the facilitator and the author still receive it. */
  hidden: boolean;
  /** Held until reveal: only the author receives it. */
  held: boolean;
  useful: boolean;
}

export interface ChallengeView {
  id: string;
  ownerId: string;
  ownerName: string;
  title: string;
  context: string;
  question: string;
  votes: number;
}

export interface RoleView {
  protocol: number;
  code: string;
  title: string;
  format: Format;
  phase: Phase;
  settings: { autoAdvance: boolean; hideUntilReveal: boolean; allowAnonymous: boolean; dots: number; durations: Durations };
  timer: Timer;
  turn: { index: number; total: number };
  me: {
    role: Viewer['role'];
    participantId: string | null;
    name: string | null;
    isOwner: boolean;
    dotsLeft: number;
    /** Challenge ids the viewer placed dots on (one entry per dot). */
    votes: string[];
  };
  participants: { id: string; name: string; online: boolean }[];
  challenges: ChallengeView[];
  focusId: string | null;
  ownerId: string | null;
  order: string[];
  contributions: ContributionView[];
  /** Reflections on the challenge in focus held back from this viewer until the reveal. */
  heldCount: number;
  revealed: boolean;
  nextSteps: NextStep[];
  /** The viewer's own private take-home notes; nobody else's. */
  notes: Note[];
  evaluation: {
    count: number;
    usefulness: number | null;
    process: number | null;
    mine: Evaluation | null;
    /** Free-text comments without names, for the facilitator only. */
    comments: string[];
  };
}

const average = (values: number[]) =>
  values.length ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10 : null;

/**
 * The one place that decides what a viewer may see. Anything left out here never reaches that
 * viewer's wire: anonymous authors, reflections held until reveal, hidden contributions, other
 * people's private notes and evaluations.
 */
export function viewFor(state: RoundState, viewer: Viewer, online: ReadonlySet<string> = new Set()): RoleView {
  const ctx = state.context;
  const me = viewer.role === 'participant' ? viewer.participantId : null;
  const nameOf = new Map(ctx.participants.map((p) => [p.id, p.name]));
  const ownerId = ownerOf(ctx);
  const hideUntilReveal = ctx.settings.hideUntilReveal;

  let heldCount = 0;
  const contributions: ContributionView[] = [];
  for (const c of ctx.contributions) {
    const mine = c.authorId === me;
    const held = hideUntilReveal && c.phase === 'reflect' && !ctx.revealed.includes(c.challengeId);
    if (held && !mine) {
      if (c.challengeId === ctx.focusId && !c.hidden) heldCount++;
      continue;
    }
    if (c.hidden && !mine && viewer.role !== 'facilitator') continue;
    const named = !c.anonymous || mine;
    contributions.push({
      id: c.id,
      challengeId: c.challengeId,
      kind: c.kind,
      text: c.text,
      authorId: named ? c.authorId : null,
      authorName: named ? (nameOf.get(c.authorId) ?? null) : null,
      anonymous: c.anonymous,
      mine,
      phase: c.phase,
      at: c.at,
      hidden: c.hidden,
      held,
      useful: c.useful,
    });
  }

  const myVotes = ctx.votes.filter((v) => v.participantId === me).map((v) => v.challengeId);
  const mine = ctx.evaluations.find((e) => e.participantId === me) ?? null;

  return {
    protocol: PROTOCOL_VERSION,
    code: ctx.code,
    title: ctx.title,
    format: ctx.format,
    phase: state.phase,
    settings: {
      autoAdvance: ctx.settings.autoAdvance,
      hideUntilReveal,
      allowAnonymous: ctx.settings.allowAnonymous,
      dots: ctx.settings.dots,
      durations: ctx.durations,
    },
    timer: ctx.timer,
    turn: { index: ctx.turn, total: ctx.order.length },
    me: {
      role: viewer.role,
      participantId: me,
      name: me ? (nameOf.get(me) ?? null) : null,
      isOwner: me !== null && me === ownerId,
      dotsLeft: me ? Math.max(0, ctx.settings.dots - myVotes.length) : 0,
      votes: myVotes,
    },
    participants: ctx.participants.filter((p) => !p.removed).map((p) => ({ id: p.id, name: p.name, online: online.has(p.id) })),
    challenges: ctx.challenges.map((c) => ({
      id: c.id,
      ownerId: c.ownerId,
      ownerName: nameOf.get(c.ownerId) ?? '',
      title: c.title,
      context: c.context,
      question: c.question,
      votes: ctx.votes.filter((v) => v.challengeId === c.id).length,
    })),
    focusId: ctx.focusId,
    ownerId,
    order: ctx.order,
    contributions,
    heldCount,
    revealed: ctx.focusId !== null && ctx.revealed.includes(ctx.focusId),
    nextSteps: ctx.nextSteps,
    notes: ctx.notes.filter((n) => n.participantId === me),
    evaluation: {
      count: ctx.evaluations.length,
      usefulness: average(ctx.evaluations.map((e) => e.usefulness)),
      process: average(ctx.evaluations.map((e) => e.process)),
      mine,
      comments: viewer.role === 'facilitator' ? ctx.evaluations.map((e) => e.comment).filter(Boolean) : [],
    },
  };
}
