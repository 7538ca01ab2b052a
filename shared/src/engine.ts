import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import type { RoundContext } from './model.js';
import type { Phase } from './phases.js';
import { roundMachine, type RoundEvent, type RoundInput } from './machine.js';

/** A round as stored and viewed: the machine's state value and context, plain data. */
export interface RoundState {
  phase: Phase;
  context: RoundContext;
}

type Snapshot = SnapshotFrom<typeof roundMachine>;

function toState(snapshot: Snapshot): RoundState {
  return { phase: snapshot.value as Phase, context: snapshot.context };
}

export function startRound(input: RoundInput): RoundState {
  const [snapshot] = initialTransition(roundMachine, input);
  return toState(snapshot);
}

/**
 * Applies one event as a pure transition. Returns null when the machine does not accept the
 * event in this state (wrong phase, failed guard): the caller refuses the command.
 */
export function applyEvent(state: RoundState, event: RoundEvent): RoundState | null {
  const snapshot = roundMachine.resolveState({ value: state.phase, context: state.context });
  if (!snapshot.can(event)) return null;
  const [next] = transition(roundMachine, snapshot, event);
  return toState(next);
}

/** The absolute time at which the round needs a `round:timeout`, if its clock is running. */
export function nextDeadline(state: RoundState): number | null {
  return state.context.timer.status === 'running' ? state.context.timer.deadline : null;
}
