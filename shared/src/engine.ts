import { createActor, initialTransition, type AnyActorScope, type AnyStateMachine, type SnapshotFrom } from 'xstate';
import { isOwner, type Caller, type RoundContext } from './model.js';
import { COMMAND_ROLES, isCommandName } from './protocol.js';
import type { Phase } from './phases.js';
import { roundMachine, type RoundEvent, type RoundInput } from './machine.js';

/** A round as stored and viewed: the machine's state value and context, plain data. */
export interface RoundState {
  readonly phase: Phase;
  readonly context: RoundContext;
}

type Snapshot = SnapshotFrom<typeof roundMachine>;

/**
 * The machine's snapshot of each state this module made, so the next event starts from it instead
 * of resolving the state value again. States from elsewhere (loaded, replayed) are resolved once.
 */
const snapshots = new WeakMap<RoundState, Snapshot>();

function toState(snapshot: Snapshot): RoundState {
  const state: RoundState = { phase: snapshot.value as Phase, context: snapshot.context };
  snapshots.set(state, snapshot);
  return state;
}

/**
 * What `machine.transition` runs with. XState's own `transition()` builds a throwaway actor, with
 * its initial snapshot and two actor systems, on every call: the most garbage per contribution of
 * anything on the server. The round machine spawns nothing, schedules nothing and its actions only
 * assign (applied inside the step, not through the executor), so one inert scope serves every call.
 * A machine that spawns, invokes or delays would need a scope (and actor system) per call again.
 */
const self = createActor(roundMachine as AnyStateMachine);
const scope: AnyActorScope = {
  self,
  id: '',
  sessionId: '',
  system: self.system,
  logger: () => undefined,
  defer: () => undefined,
  emit: () => undefined,
  stopChild: () => undefined,
  actionExecutor: () => undefined,
};

export function startRound(input: RoundInput): RoundState {
  const [snapshot] = initialTransition(roundMachine, input);
  return toState(snapshot);
}

/**
 * Whether the caller's role may send this event at all: facilitator commands only from the
 * facilitator, owner commands only from the owner in focus, system events only from the server.
 */
export function roleAllows(type: RoundEvent['type'], caller: Caller, context: RoundContext): boolean {
  if (!isCommandName(type)) return caller.role === 'system';
  const needed = COMMAND_ROLES[type];
  if (needed === 'owner') return isOwner(context, caller);
  return caller.role === needed;
}

/**
 * Applies one event as a pure transition. Returns null when the machine does not accept the
 * event in this state (wrong phase, failed guard): the caller refuses the command.
 */
export function applyEvent(state: RoundState, event: RoundEvent): RoundState | null {
  if (!roleAllows(event.type, event.caller, state.context)) return null;
  const snapshot = snapshots.get(state) ?? roundMachine.resolveState({ value: state.phase, context: state.context });
  if (!snapshot.can(event)) return null;
  return toState(roundMachine.transition(snapshot, event, scope));
}

/** The absolute time at which the round needs a `round:timeout`, if its clock is running. */
export function nextDeadline(state: RoundState): number | null {
  return state.context.timer.status === 'running' ? state.context.timer.deadline : null;
}
