import type { RoundState } from './engine.js';
import {
  ownerOf,
  type Challenge,
  type Contribution,
  type ContributionKind,
  type Evaluation,
  type NextStep,
  type Note,
  type RoundContext,
  type Timer,
} from './model.js';
import type { Durations, Format, Phase } from './phases.js';
import { PROTOCOL_VERSION } from './limits.js';
import type { CollectionPatch, ViewPatch } from './protocol.js';

export type Viewer = { role: 'facilitator' } | { role: 'participant'; participantId: string } | { role: 'board' };

export interface ContributionView {
  id: string;
  /** Its place in the round, so a contribution revealed later is shown where it belongs. */
  order: number;
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
  settings: {
    autoAdvance: boolean;
    hideUntilReveal: boolean;
    allowAnonymous: boolean;
    dots: number;
    durations: Durations;
    locked: boolean;
  };
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
 * Facts about one state that every viewer's view needs, computed once per state and shared by
 * all viewers (the state is immutable, so it is cached by identity).
 */
interface StateIndex {
  nameOf: Map<string, string>;
  votesFor: Map<string, number>;
  /** Held reflections on the challenge in focus: in all, and by author. */
  heldTotal: number;
  heldBy: Map<string, number>;
  usefulness: number | null;
  process: number | null;
}

const indexes = new WeakMap<RoundContext, StateIndex>();

function isHeld(ctx: RoundContext, c: Contribution): boolean {
  return ctx.settings.hideUntilReveal && c.phase === 'reflect' && !ctx.revealed.includes(c.challengeId);
}

function indexOf(ctx: RoundContext): StateIndex {
  let index = indexes.get(ctx);
  if (index) return index;
  const votesFor = new Map<string, number>();
  for (const v of ctx.votes) votesFor.set(v.challengeId, (votesFor.get(v.challengeId) ?? 0) + 1);
  const heldBy = new Map<string, number>();
  let heldTotal = 0;
  if (ctx.settings.hideUntilReveal && ctx.focusId && !ctx.revealed.includes(ctx.focusId)) {
    for (const c of ctx.contributions) {
      if (c.challengeId !== ctx.focusId || c.hidden || !isHeld(ctx, c)) continue;
      heldTotal++;
      heldBy.set(c.authorId, (heldBy.get(c.authorId) ?? 0) + 1);
    }
  }
  index = {
    nameOf: new Map(ctx.participants.map((p) => [p.id, p.name])),
    votesFor,
    heldTotal,
    heldBy,
    usefulness: average(ctx.evaluations.map((e) => e.usefulness)),
    process: average(ctx.evaluations.map((e) => e.process)),
  };
  indexes.set(ctx, index);
  return index;
}

const meOf = (viewer: Viewer) => (viewer.role === 'participant' ? viewer.participantId : null);

/**
 * What one viewer may see of one contribution, or null if nothing. Anonymous authors, reflections
 * held until reveal and contributions hidden by the facilitator are decided here and only here.
 */
function contributionView(ctx: RoundContext, index: StateIndex, c: Contribution, viewer: Viewer, order: number): ContributionView | null {
  const me = meOf(viewer);
  const mine = c.authorId === me;
  const held = isHeld(ctx, c);
  if (held && !mine) return null;
  if (c.hidden && !mine && viewer.role !== 'facilitator') return null;
  const named = !c.anonymous || mine;
  return {
    id: c.id,
    order,
    challengeId: c.challengeId,
    kind: c.kind,
    text: c.text,
    authorId: named ? c.authorId : null,
    authorName: named ? (index.nameOf.get(c.authorId) ?? null) : null,
    anonymous: c.anonymous,
    mine,
    phase: c.phase,
    at: c.at,
    hidden: c.hidden,
    held,
    useful: c.useful,
  };
}

function challengeView(index: StateIndex, c: Challenge): ChallengeView {
  return {
    id: c.id,
    ownerId: c.ownerId,
    ownerName: index.nameOf.get(c.ownerId) ?? '',
    title: c.title,
    context: c.context,
    question: c.question,
    votes: index.votesFor.get(c.id) ?? 0,
  };
}

export type ViewHead = Omit<RoleView, 'contributions' | 'challenges'>;

/** Everything but the two collections that grow with the round. */
function headFor(state: RoundState, viewer: Viewer, online: ReadonlySet<string>): ViewHead {
  const ctx = state.context;
  const index = indexOf(ctx);
  const me = meOf(viewer);
  const ownerId = ownerOf(ctx);
  const myVotes = me ? ctx.votes.filter((v) => v.participantId === me).map((v) => v.challengeId) : [];
  return {
    protocol: PROTOCOL_VERSION,
    code: ctx.code,
    title: ctx.title,
    format: ctx.format,
    phase: state.phase,
    settings: {
      autoAdvance: ctx.settings.autoAdvance,
      hideUntilReveal: ctx.settings.hideUntilReveal,
      allowAnonymous: ctx.settings.allowAnonymous,
      dots: ctx.settings.dots,
      durations: ctx.durations,
      locked: ctx.locked,
    },
    timer: ctx.timer,
    turn: { index: ctx.turn, total: ctx.order.length },
    me: {
      role: viewer.role,
      participantId: me,
      name: me ? (index.nameOf.get(me) ?? null) : null,
      isOwner: me !== null && me === ownerId,
      dotsLeft: me ? Math.max(0, ctx.settings.dots - myVotes.length) : 0,
      votes: myVotes,
    },
    participants: ctx.participants.filter((p) => !p.removed).map((p) => ({ id: p.id, name: p.name, online: online.has(p.id) })),
    focusId: ctx.focusId,
    ownerId,
    order: ctx.order,
    heldCount: index.heldTotal - (me ? (index.heldBy.get(me) ?? 0) : 0),
    revealed: ctx.focusId !== null && ctx.revealed.includes(ctx.focusId),
    nextSteps: ctx.nextSteps,
    notes: me ? ctx.notes.filter((n) => n.participantId === me) : [],
    evaluation: {
      count: ctx.evaluations.length,
      usefulness: index.usefulness,
      process: index.process,
      mine: (me && ctx.evaluations.find((e) => e.participantId === me)) || null,
      comments: viewer.role === 'facilitator' ? ctx.evaluations.map((e) => e.comment).filter(Boolean) : [],
    },
  };
}

/**
 * The one place that decides what a viewer may see. Anything left out here never reaches that
 * viewer's wire: anonymous authors, reflections held until reveal, hidden contributions, other
 * people's private notes and evaluations.
 */
export function viewFor(state: RoundState, viewer: Viewer, online: ReadonlySet<string> = new Set()): RoleView {
  const ctx = state.context;
  const index = indexOf(ctx);
  const contributions: ContributionView[] = [];
  ctx.contributions.forEach((c, i) => {
    const view = contributionView(ctx, index, c, viewer, i);
    if (view) contributions.push(view);
  });
  return { ...headFor(state, viewer, online), contributions, challenges: ctx.challenges.map((c) => challengeView(index, c)) };
}

/**
 * What changed for a viewer from `prev` to `next`, built from the same per-item functions as
 * viewFor. The round only appends to or replaces items of its collections, so items that are
 * the same object in both states are unchanged unless what their view depends on changed.
 */
export function patchFor(
  prev: RoundState,
  next: RoundState,
  viewer: Viewer,
  online: ReadonlySet<string> = new Set(),
): Pick<ViewPatch, 'view' | 'contributions' | 'challenges'> {
  const a = prev.context;
  const b = next.context;
  const index = indexOf(b);
  const newlyRevealed = b.revealed.filter((id) => !a.revealed.includes(id));
  const contributions: ViewPatch['contributions'] = { upsert: [], remove: [] };
  b.contributions.forEach((c, i) => {
    if (a.contributions[i] === c && !newlyRevealed.includes(c.challengeId)) return;
    const view = contributionView(b, index, c, viewer, i);
    if (view) contributions.upsert.push(view);
    else contributions.remove.push(c.id);
  });
  const votesChanged = a.votes !== b.votes;
  const challenges: ViewPatch['challenges'] = { upsert: [], remove: [] };
  for (const [i, c] of b.challenges.entries()) {
    if (votesChanged || a.challenges[i] !== c) challenges.upsert.push(challengeView(index, c));
  }
  return { view: headFor(next, viewer, online), contributions, challenges };
}

function merge<T extends { id: string }>(items: readonly T[], patch: CollectionPatch<T>, byOrder?: (item: T) => number): T[] {
  if (!patch.upsert.length && !patch.remove.length) return items as T[];
  const removed = new Set(patch.remove);
  const out = items.filter((item) => !removed.has(item.id));
  const at = new Map(out.map((item, i) => [item.id, i]));
  let unordered = false;
  for (const item of patch.upsert) {
    const i = at.get(item.id);
    if (i !== undefined) out[i] = item;
    else {
      if (byOrder && out.length && byOrder(out[out.length - 1]!) > byOrder(item)) unordered = true;
      at.set(item.id, out.length);
      out.push(item);
    }
  }
  // An older item that becomes visible (a reveal) goes back to its place in the round.
  if (unordered && byOrder) out.sort((x, y) => byOrder(x) - byOrder(y));
  return out;
}

/** Applies a patch to the view it was made against. */
export function applyPatch(view: RoleView, patch: Pick<ViewPatch, 'view' | 'contributions' | 'challenges'>): RoleView {
  return {
    ...patch.view,
    contributions: merge(view.contributions, patch.contributions, (c) => c.order),
    challenges: merge(view.challenges, patch.challenges),
  };
}
