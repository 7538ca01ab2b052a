import { dequal } from 'dequal/lite';
import type { RoundState } from './engine.js';
import {
  ownerOf,
  type Challenge,
  type Contribution,
  type ContributionKind,
  type Evaluation,
  type NextStep,
  type Note,
  type Participant,
  type RoundContext,
  type Timer,
} from './model.js';
import type { Durations, Format, Phase } from './phases.js';
import { PROTOCOL_VERSION } from './limits.js';

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
 * Facts about one state that every viewer's view needs, computed once and shared by all viewers
 * (the state is immutable, so it is cached by identity). Each part is cached by the array it is
 * made from, which most events leave alone, so the many states a session remembers share them.
 */
export interface StateIndex {
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

/** `make(source)`, made once per source object. */
function memoBy<S extends object, V>(make: (source: S) => V): (source: S) => V {
  const made = new WeakMap<S, V>();
  return (source) => {
    let value = made.get(source);
    if (value === undefined) made.set(source, (value = make(source)));
    return value;
  };
}

const namesOf = memoBy((participants: readonly Participant[]) => new Map(participants.map((p) => [p.id, p.name])));
const votesOf = memoBy((votes: RoundContext['votes']) => {
  const votesFor = new Map<string, number>();
  for (const v of votes) votesFor.set(v.challengeId, (votesFor.get(v.challengeId) ?? 0) + 1);
  return votesFor;
});
const averagesOf = memoBy((evaluations: RoundContext['evaluations']) => ({
  usefulness: average(evaluations.map((e) => e.usefulness)),
  process: average(evaluations.map((e) => e.process)),
}));
const NOTHING_HELD = { heldTotal: 0, heldBy: new Map<string, number>() };

export function indexOf(ctx: RoundContext): StateIndex {
  let index = indexes.get(ctx);
  if (index) return index;
  let held = NOTHING_HELD;
  if (ctx.settings.hideUntilReveal && ctx.focusId && !ctx.revealed.includes(ctx.focusId)) {
    held = { heldTotal: 0, heldBy: new Map() };
    for (const c of ctx.contributions) {
      if (c.challengeId !== ctx.focusId || c.hidden || !isHeld(ctx, c)) continue;
      held.heldTotal++;
      held.heldBy.set(c.authorId, (held.heldBy.get(c.authorId) ?? 0) + 1);
    }
  }
  index = { nameOf: namesOf(ctx.participants), votesFor: votesOf(ctx.votes), ...held, ...averagesOf(ctx.evaluations) };
  indexes.set(ctx, index);
  return index;
}

export const meOf = (viewer: Viewer) => (viewer.role === 'participant' ? viewer.participantId : null);

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

/** The parts of the rest of a view that depend on who is looking. */
export type PersonalHead = Pick<ViewHead, 'me' | 'heldCount' | 'notes' | 'evaluation'>;
/** The parts that are the same for every viewer of a state, given who is online. */
export type SharedHead = Omit<ViewHead, keyof PersonalHead>;

/**
 * The shared head last made in each session (by its settings object, which no event replaces):
 * for which state and presence (one flag per participant). Only the latest is kept — it is what
 * the next state's head reuses objects from — so the versions a session remembers hold none.
 */
const sharedHeads = new WeakMap<RoundContext['settings'], { state: RoundState; flags: string; head: SharedHead }>();

/** The shared head last made for a state, if it is still the latest of its session. */
export const lastSharedHead = (state: RoundState): SharedHead | undefined => {
  const last = sharedHeads.get(state.context.settings);
  return last?.state === state ? last.head : undefined;
};

/** Who of `participants` is online, as one flag each; worked out once per presence set. */
const presenceFlags = new WeakMap<ReadonlySet<string>, WeakMap<readonly Participant[], string>>();
function flagsOf(participants: readonly Participant[], online: ReadonlySet<string>): string {
  let byList = presenceFlags.get(online);
  if (!byList) presenceFlags.set(online, (byList = new WeakMap()));
  let flags = byList.get(participants);
  if (flags === undefined) byList.set(participants, (flags = participants.map((p) => (online.has(p.id) ? '1' : '0')).join('')));
  return flags;
}

/**
 * The shared parts of a state's head, made once per state and presence for all its viewers. With
 * `like` (the shared head of the state before), parts that did not change are that one's very
 * objects, so comparing what a viewer has with what it should have is mostly `===`.
 */
export function sharedHeadFor(state: RoundState, online: ReadonlySet<string>, like?: SharedHead): SharedHead {
  const latest = sharedHeads.get(state.context.settings);
  const cached = latest?.state === state ? latest : undefined;
  const ctx = state.context;
  const flags = flagsOf(ctx.participants, online);
  if (cached?.flags === flags) return cached.head;
  const head: SharedHead = {
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
    participants: ctx.participants.filter((p) => !p.removed).map((p) => ({ id: p.id, name: p.name, online: online.has(p.id) })),
    focusId: ctx.focusId,
    ownerId: ownerOf(ctx),
    order: ctx.order,
    revealed: ctx.focusId !== null && ctx.revealed.includes(ctx.focusId),
    nextSteps: ctx.nextSteps,
  };
  if (like) {
    const parts = head as Record<string, unknown>;
    for (const key of Object.keys(parts)) {
      const before = (like as Record<string, unknown>)[key];
      if (parts[key] !== before && dequal(parts[key], before)) parts[key] = before;
    }
  }
  sharedHeads.set(state.context.settings, { state, flags, head });
  return head;
}

/** What a personal head is made of, to tell when the last one made for a viewer still holds. */
interface PersonalInputs {
  participants: RoundContext['participants'];
  votes: RoundContext['votes'];
  notes: RoundContext['notes'];
  evaluations: RoundContext['evaluations'];
  challenges: RoundContext['challenges'];
  focusId: RoundContext['focusId'];
  settings: RoundContext['settings'];
  held: number;
}
/** Its keys, once (not Object.keys per viewer and version); `satisfies` keeps the list complete. */
const PERSONAL_INPUTS = Object.keys({
  participants: 0,
  votes: 0,
  notes: 0,
  evaluations: 0,
  challenges: 0,
  focusId: 0,
  settings: 0,
  held: 0,
} satisfies Record<keyof PersonalInputs, 0>) as (keyof PersonalInputs)[];

/**
 * The last personal head made for each viewer of a session (by its settings object, as above):
 * a contribution from someone else leaves everyone else's the same object.
 */
const personalHeads = new WeakMap<RoundContext['settings'], Map<string, { inputs: PersonalInputs; head: PersonalHead }>>();

export function personalHead(state: RoundState, viewer: Viewer): PersonalHead {
  const ctx = state.context;
  const index = indexOf(ctx);
  const me = meOf(viewer);
  const inputs: PersonalInputs = {
    participants: ctx.participants,
    votes: ctx.votes,
    notes: ctx.notes,
    evaluations: ctx.evaluations,
    challenges: ctx.challenges,
    focusId: ctx.focusId,
    settings: ctx.settings,
    held: index.heldTotal - (me ? (index.heldBy.get(me) ?? 0) : 0),
  };
  let byViewer = personalHeads.get(ctx.settings);
  if (!byViewer) personalHeads.set(ctx.settings, (byViewer = new Map()));
  const key = me ?? viewer.role;
  const last = byViewer.get(key);
  if (last && PERSONAL_INPUTS.every((k) => last.inputs[k] === inputs[k])) return last.head;
  const head = makePersonalHead(ctx, index, viewer, inputs.held);
  byViewer.set(key, { inputs, head });
  return head;
}

function makePersonalHead(ctx: RoundContext, index: StateIndex, viewer: Viewer, held: number): PersonalHead {
  const me = meOf(viewer);
  const myVotes = me ? ctx.votes.filter((v) => v.participantId === me).map((v) => v.challengeId) : [];
  return {
    me: {
      role: viewer.role,
      participantId: me,
      name: me ? (index.nameOf.get(me) ?? null) : null,
      isOwner: me !== null && me === ownerOf(ctx),
      dotsLeft: me ? Math.max(0, ctx.settings.dots - myVotes.length) : 0,
      votes: myVotes,
    },
    heldCount: held,
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

/** Everything but the two collections that grow with the round. */
export function headFor(state: RoundState, viewer: Viewer, online: ReadonlySet<string>): ViewHead {
  return { ...sharedHeadFor(state, online), ...personalHead(state, viewer) };
}

/**
 * A contribution as seen from one side: its author, the facilitator (who still sees hidden ones),
 * or anyone else. Made once per state, item and side, so viewers on the same side share one object.
 */
const contributionViews = new WeakMap<RoundContext, Map<string, ContributionView | null>>();
export function contributionViewOf(ctx: RoundContext, index: StateIndex, c: Contribution, viewer: Viewer, order: number): ContributionView | null {
  const side = c.authorId === meOf(viewer) ? 'author' : viewer.role === 'facilitator' ? 'facilitator' : 'other';
  let views = contributionViews.get(ctx);
  if (!views) contributionViews.set(ctx, (views = new Map()));
  const key = `${order}:${side}`;
  let view = views.get(key);
  if (view === undefined) views.set(key, (view = contributionView(ctx, index, c, viewer, order)));
  return view;
}

const challengeViews = new WeakMap<RoundContext, ChallengeView[]>();
export function challengeViewOf(ctx: RoundContext, index: StateIndex, i: number): ChallengeView {
  let views = challengeViews.get(ctx);
  if (!views) challengeViews.set(ctx, (views = []));
  return (views[i] ??= challengeView(index, ctx.challenges[i]!));
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
    const view = contributionViewOf(ctx, index, c, viewer, i);
    if (view) contributions.push(view);
  });
  return { ...headFor(state, viewer, online), contributions, challenges: ctx.challenges.map((_, i) => challengeViewOf(ctx, index, i)) };
}

/** A view without its collections: what a patch's `view` part is taken from. */
export function headOf(view: RoleView): ViewHead {
  const { contributions: _c, challenges: _ch, ...head } = view;
  return head;
}
