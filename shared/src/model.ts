import type { Durations, Format, Phase } from './phases.js';

/** What a session is set up with; fixed once the session is created. */
export interface SessionSettings {
  durations: Durations;
  /** Everyone-presents only: total time for all turns, split across presenters at start. */
  totalMs: number | null;
  /** At time-out: advance by itself (true) or wait for the facilitator (false). */
  autoAdvance: boolean;
  /** Reflections stay with their authors until the facilitator reveals them. */
  hideUntilReveal: boolean;
  /** Contributors may post without their name. */
  allowAnonymous: boolean;
  /** Dots each participant may place when voting for a challenge. */
  dots: number;
}

export type Timer =
  | { status: 'none' }
  | { status: 'running'; deadline: number; durationMs: number }
  | { status: 'paused'; remainingMs: number; durationMs: number }
  | { status: 'expired'; durationMs: number };

export interface Participant {
  id: string;
  name: string;
  joinedAt: number;
  removed?: boolean;
}

export interface Challenge {
  id: string;
  ownerId: string;
  title: string;
  context: string;
  question: string;
  submittedAt: number;
}

export interface Vote {
  participantId: string;
  challengeId: string;
}

export const CONTRIBUTION_KINDS = ['question', 'reflection', 'suggestion'] as const;
export type ContributionKind = (typeof CONTRIBUTION_KINDS)[number];

export interface Contribution {
  id: string;
  challengeId: string;
  authorId: string;
  kind: ContributionKind;
  text: string;
  anonymous: boolean;
  /** The phase it was posted in: reflections from `reflect` may be held until reveal. */
  phase: Phase;
  at: number;
  hidden: boolean;
  useful: boolean;
}

export interface NextStep {
  id: string;
  challengeId: string;
  text: string;
  at: number;
}

export interface Note {
  participantId: string;
  challengeId: string;
  text: string;
}

export interface Evaluation {
  participantId: string;
  usefulness: number;
  process: number;
  comment: string;
}

/** The whole state of one round: the machine's context. Only the server holds all of it. */
export interface RoundContext {
  code: string;
  title: string;
  format: Format;
  settings: SessionSettings;
  createdAt: number;
  participants: Participant[];
  challenges: Challenge[];
  votes: Vote[];
  /** The challenge in focus (focus format) or the current presenter's (everyone presents). */
  focusId: string | null;
  /** Everyone presents: the order of challenges; `turn` indexes it. */
  order: string[];
  turn: number;
  /** Durations in force (everyone presents may split a total at start). */
  durations: Durations;
  timer: Timer;
  /** No new participants may join. */
  locked: boolean;
  contributions: Contribution[];
  /** Challenges whose held-back reflections the facilitator has revealed. */
  revealed: string[];
  nextSteps: NextStep[];
  notes: Note[];
  evaluations: Evaluation[];
}

export type Caller =
  | { role: 'facilitator' }
  | { role: 'participant'; participantId: string }
  | { role: 'board' }
  | { role: 'system' };

export function ownerOf(ctx: Pick<RoundContext, 'challenges' | 'focusId'>): string | null {
  if (!ctx.focusId) return null;
  return ctx.challenges.find((c) => c.id === ctx.focusId)?.ownerId ?? null;
}

export function isOwner(ctx: Pick<RoundContext, 'challenges' | 'focusId'>, caller: Caller): boolean {
  return caller.role === 'participant' && ownerOf(ctx) === caller.participantId;
}

export function callerId(caller: Caller): string | null {
  return caller.role === 'participant' ? caller.participantId : null;
}
