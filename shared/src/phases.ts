/** The two round formats from the source documents. */
export const FORMATS = ['focus', 'everyone'] as const;
export type Format = (typeof FORMATS)[number];

/** Every phase a round can be in, in the order a focus round walks them. */
export const PHASES = [
  'lobby',
  'choose',
  'confirm',
  'present',
  'clarify',
  'reflect',
  'respond',
  'nextSteps',
  'evaluate',
  'ended',
] as const;
export type Phase = (typeof PHASES)[number];

/** Phases that run on a clock. `confirm` shares the clock of `choose`. */
export const TIMED_PHASES = ['choose', 'present', 'clarify', 'reflect', 'respond', 'nextSteps', 'evaluate'] as const;
export type TimedPhase = (typeof TIMED_PHASES)[number];

export type Durations = Record<TimedPhase, number>;

const MIN = 60_000;

/** Defaults a facilitator can change when creating the session (milliseconds). */
export const DEFAULT_DURATIONS: Record<Format, Durations> = {
  focus: {
    choose: 3 * MIN,
    present: 5 * MIN,
    clarify: 5 * MIN,
    reflect: 10 * MIN,
    respond: 5 * MIN,
    nextSteps: 5 * MIN,
    evaluate: 3 * MIN,
  },
  // Shorter timers: every leader gets a turn.
  everyone: {
    choose: 0,
    present: 3 * MIN,
    clarify: 0,
    reflect: 5 * MIN,
    respond: 0,
    nextSteps: 2 * MIN,
    evaluate: 3 * MIN,
  },
};

/** The phases of one turn in the everyone-presents format. */
export const EVERYONE_TURN: readonly TimedPhase[] = ['present', 'reflect', 'nextSteps'];

export function isTimedPhase(phase: Phase): phase is TimedPhase {
  return (TIMED_PHASES as readonly string[]).includes(phase);
}

/**
 * Durations for one turn of the everyone-presents format when the facilitator gives a total
 * time for all turns: the turn phases keep their proportions and the whole fits the total.
 */
export function splitTurnDurations(durations: Durations, totalMs: number, presenters: number): Durations {
  const perTurn = EVERYONE_TURN.reduce((sum, p) => sum + durations[p], 0);
  if (presenters < 1 || perTurn <= 0) return durations;
  const scale = totalMs / presenters / perTurn;
  const split = { ...durations };
  for (const p of EVERYONE_TURN) split[p] = Math.max(1000, Math.round((durations[p] * scale) / 1000) * 1000);
  return split;
}
