/**
 * Walks the round machine with @xstate/graph (v3) and checks that
 *  - every phase of both formats is reachable from the initial state (per turn for everyone
 *    presents), and `ended` is reachable;
 *  - every shortest path replays through the engine (startRound/applyEvent) to the same phase,
 *    turn and clock status, and every edge of the explored graph agrees with applyEvent.
 *
 * How the walk is set up (what works with @xstate/graph 3 and a machine that needs `input`):
 *  - `input` is a traversal option: graph calls `machine.getInitialSnapshot(scope, input)`, so the
 *    real `roundMachine` is walked as is; no wrapper machine or `provide` is needed. A `fromState`
 *    built from an engine state (`roundMachine.resolveState({ value: phase, context })`) works too
 *    (last test).
 *  - `events` given by the caller replaces graph's default (which sends a bare `{ type }` for each
 *    event the state accepts: bare events have no `at`/`caller`, and the guards need both). Here it
 *    is a function of the snapshot, so the offered events stay bounded: three people join in turn,
 *    each submits once and places one dot; the owner confirms; the time-out comes "late", at
 *    max(LATE, deadline) the way the server sends it, so it fires whenever the clock runs.
 *  - `serializeState` keys on phase + turn + clock status, plus the few context fields that decide
 *    what later events do (who joined, which challenges in which order, dots, focus, order). Phase
 *    + turn + clock alone is not enough: graph keeps only the first snapshot it meets per key, so a
 *    join (same phase, same clock) would be dropped and nobody could ever submit a challenge. The
 *    key leaves out everything time-stamped, so the key space stays finite. Facilitator commands
 *    all come at one fixed time (NOW); after a late time-out the next command is "earlier" than
 *    the last one, which the machine does not care about, and which keeps timer numbers out of
 *    the key (the late time-out fires on any running clock, so status alone decides behaviour).
 *  - getShortestPaths reports, for each step, *a* snapshot with that step's key (not necessarily
 *    the one the next transition was computed from), so path replays compare keys; the edge test
 *    uses getAdjacencyMap, whose entries are exact, and compares whole states.
 */
import { describe, expect, it } from 'vitest';
import { getAdjacencyMap, getShortestPaths, getSimplePaths } from '@xstate/graph';
import type { SnapshotFrom } from 'xstate';
import {
  applyEvent,
  EVERYONE_TURN,
  ownerOf,
  PHASES,
  roundMachine,
  startRound,
  type Format,
  type Phase,
  type RoundContext,
  type RoundEvent,
  type RoundInput,
  type RoundState,
} from '../src/index.js';
import { as, FACILITATOR, MIN, roundInput, Sim, SYSTEM, T0 } from './helpers.js';

type Snap = SnapshotFrom<typeof roundMachine>;

const NOW = T0 + MIN;
const LATE = T0 + 24 * 60 * MIN;
const PEOPLE = ['p1', 'p2', 'p3'] as const;

function key(phase: unknown, ctx: RoundContext): string {
  return [
    phase,
    `turn ${ctx.turn}`,
    ctx.timer.status,
    `P ${ctx.participants.map((p) => p.id).join(',')}`,
    `C ${ctx.challenges.map((c) => c.id).join(',')}`,
    `V ${ctx.votes.map((v) => `${v.participantId}>${v.challengeId}`).join(',')}`,
    `F ${ctx.focusId}`,
    `O ${ctx.order.join(',')}`,
  ].join(' | ');
}
const snapKey = (s: Snap) => key(s.value, s.context);
const stateKey = (s: RoundState) => key(s.phase, s.context);

/** The representative events offered in a state. */
function eventsFor(s: Snap): RoundEvent[] {
  const ctx = s.context;
  const phase = s.value as Phase;
  const fac = { at: NOW, caller: FACILITATOR };
  const events: RoundEvent[] = [
    { type: 'round:start', shuffle: false, ...fac, id: 'start' },
    { type: 'round:next', ...fac, id: 'next' },
    { type: 'round:back', ...fac, id: 'back' },
    { type: 'round:pause', ...fac, id: 'pause' },
    { type: 'round:resume', ...fac, id: 'resume' },
    { type: 'round:addTime', ms: MIN, ...fac, id: 'addTime' },
    {
      type: 'round:timeout',
      at: Math.max(LATE, ctx.timer.status === 'running' ? ctx.timer.deadline : 0),
      caller: SYSTEM,
      id: 'timeout',
    },
  ];
  if (phase === 'lobby' || phase === 'choose') {
    const n = ctx.participants.length;
    if (n < PEOPLE.length) events.push({ type: 'participant:join', name: `Person ${n + 1}`, at: NOW, caller: SYSTEM, id: PEOPLE[n]! });
    for (const p of ctx.participants) {
      if (ctx.challenges.some((c) => c.ownerId === p.id)) continue;
      const title = `Challenge of ${p.name}`;
      events.push({ type: 'challenge:submit', title, context: '', question: 'What next?', at: NOW, caller: as(p.id), id: `c-${p.id}` });
    }
  }
  if (phase === 'choose') {
    // Each person places one dot, on the next person's challenge.
    ctx.participants.forEach((p, i) => {
      const target = `c-${PEOPLE[(i + 1) % PEOPLE.length]}`;
      if (!ctx.votes.some((v) => v.participantId === p.id)) events.push({ type: 'vote:cast', challengeId: target, at: NOW, caller: as(p.id), id: `vote-${p.id}` });
    });
  }
  if (phase === 'choose' || phase === 'confirm') {
    events.push({ type: 'challenge:pick', ...fac, id: 'pick-top' });
    const last = ctx.challenges.at(-1);
    if (last) events.push({ type: 'challenge:pick', challengeId: last.id, ...fac, id: 'pick-last' });
  }
  const owner = ownerOf(ctx);
  if (owner) {
    events.push({ type: 'challenge:confirm', at: NOW, caller: as(owner), id: 'confirm' });
    const other = ctx.participants.find((p) => p.id !== owner);
    if (other) events.push({ type: 'challenge:confirm', at: NOW, caller: as(other.id), id: 'confirm-other' });
  }
  return events;
}

function walk(input: RoundInput) {
  const options = { input, events: eventsFor, serializeState: snapKey };
  return {
    paths: getShortestPaths(roundMachine, options),
    adjacency: getAdjacencyMap(roundMachine, options),
  };
}

/** Replays a graph path through the engine; returns the engine's states after each step. */
function replay(input: RoundInput, steps: { event: RoundEvent | { type: 'xstate.init' }; state: Snap }[]) {
  let state = startRound(input);
  const out: { event: RoundEvent; graph: Snap; engine: RoundState | null }[] = [];
  for (const step of steps) {
    if (step.event.type === 'xstate.init') continue; // graph's first step: the initial state itself
    const event = step.event as RoundEvent;
    const next = applyEvent(state, event);
    out.push({ event, graph: step.state, engine: next });
    if (!next) break;
    state = next;
  }
  return out;
}

const CASES: { format: Format; autoAdvance: boolean }[] = [
  { format: 'focus', autoAdvance: false },
  { format: 'focus', autoAdvance: true },
  { format: 'everyone', autoAdvance: false },
  { format: 'everyone', autoAdvance: true },
];

describe.each(CASES)('graph walk: $format, autoAdvance $autoAdvance', ({ format, autoAdvance }) => {
  const input = roundInput(format, { autoAdvance });
  const { paths, adjacency } = walk(input);
  const ends = paths.map((p) => p.state);
  const reached = new Set(ends.map((s) => `${String(s.value)}@${s.context.turn}`));

  it('starts where the engine starts', () => {
    const first = paths.find((p) => p.steps.length === 1)!; // the path to the initial state
    expect(first.state.value).toBe('lobby');
    expect({ phase: first.state.value, context: first.state.context }).toEqual(startRound(input));
  });

  if (format === 'focus') {
    it('reaches every phase of the focus format, always on turn 0', () => {
      const phases = new Set(ends.map((s) => s.value));
      expect([...phases].sort()).toEqual([...PHASES].sort());
      expect(ends.every((s) => s.context.turn === 0 && s.context.order.length === 0)).toBe(true);
    });

    it('passes through choose and confirm before anyone presents', () => {
      const toPresent = paths.filter((p) => p.state.value === 'present');
      expect(toPresent.length).toBeGreaterThan(0);
      for (const p of toPresent) {
        const visited = p.steps.map((s) => s.state.value);
        expect(visited).toContain('choose');
        expect(visited).toContain('confirm');
        // Only the owner's confirm, or the facilitator going on without it, leads to present.
        const i = visited.indexOf('present');
        expect(visited[i - 1]).toBe('confirm');
        const step = p.steps[i]!.event as RoundEvent;
        if (step.type === 'challenge:confirm') expect(step.caller).toEqual(as(ownerOf(p.steps[i - 1]!.state.context)!));
        else expect(step).toMatchObject({ type: 'round:next', caller: { role: 'facilitator' } });
      }
    });
  } else {
    it('reaches present, reflect and nextSteps on each of three turns, then evaluate and ended', () => {
      for (let turn = 0; turn < PEOPLE.length; turn++) for (const phase of EVERYONE_TURN) expect(reached).toContain(`${phase}@${turn}`);
      expect(reached).toContain('lobby@0');
      expect(ends.some((s) => s.value === 'evaluate')).toBe(true);
      expect(ends.some((s) => s.value === 'ended')).toBe(true);
      expect(reached).not.toContain(`present@${PEOPLE.length}`);
    });

    it('never enters choose, confirm, clarify or respond', () => {
      const phases = new Set(paths.flatMap((p) => p.steps.map((s) => s.state.value)));
      for (const phase of ['choose', 'confirm', 'clarify', 'respond']) expect(phases).not.toContain(phase);
    });

    it('walks lobby → present → reflect → nextSteps per turn on the shortest way to the last turn', () => {
      const last = paths.find((p) => p.state.value === 'nextSteps' && p.state.context.turn === 2 && p.state.context.order.length === 3);
      expect(last).toBeDefined();
      const walked = last!.steps
        .filter((s, i, all) => i === 0 || s.state.value !== all[i - 1]!.state.value || s.state.context.turn !== all[i - 1]!.state.context.turn)
        .map((s) => (s.state.value === 'lobby' ? 'lobby' : `${String(s.state.value)}@${s.state.context.turn}`));
      expect(walked).toEqual(['lobby', 'present@0', 'reflect@0', 'nextSteps@0', 'present@1', 'reflect@1', 'nextSteps@1', 'present@2', 'reflect@2', 'nextSteps@2']);
    });
  }

  it('reaches ended, where the clock is stopped', () => {
    const ended = paths.filter((p) => p.state.value === 'ended');
    expect(ended.length).toBeGreaterThan(0);
    for (const p of ended) expect(p.state.context.timer).toEqual({ status: 'none' });
  });

  it('replays every shortest path through engine.applyEvent to the same phase, turn and clock', () => {
    expect(paths.length).toBeGreaterThan(20);
    for (const path of paths) {
      const replayed = replay(input, path.steps as never);
      expect(replayed.length).toBe(path.steps.length - 1);
      for (const { event, graph, engine } of replayed) {
        expect(engine, `engine refused ${event.type} on the way to ${snapKey(path.state)}`).not.toBeNull();
        expect(engine!.phase).toBe(graph.value);
        expect(stateKey(engine!)).toBe(snapKey(graph));
      }
    }
  });

  it('agrees with applyEvent on every explored edge: refused means unchanged, accepted means the same next state', () => {
    let accepted = 0;
    let refused = 0;
    for (const { state, transitions } of Object.values(adjacency)) {
      const from: RoundState = { phase: state.value as Phase, context: state.context };
      // The map is keyed by branded strings, which Object.values does not see through.
      for (const { event, state: next } of Object.values(transitions) as { event: RoundEvent; state: Snap }[]) {
        const engine = applyEvent(from, event);
        if (engine) {
          accepted++;
          expect(engine).toEqual({ phase: next.value, context: next.context });
        } else {
          refused++;
          expect({ phase: next.value, context: next.context }).toEqual(from);
        }
        // A confirm by someone other than the owner is never accepted.
        if (event.id === 'confirm-other') expect(engine).toBeNull();
      }
    }
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});

describe('graph walk from an engine state (fromState)', () => {
  it('finds every simple path from the start of an everyone-presents round with two challenges to ended, and the engine agrees', () => {
    const sim = new Sim(roundInput('everyone', { autoAdvance: true }));
    for (const name of ['Ada', 'Ben']) sim.submit(sim.join(name), `${name}'s challenge`);
    sim.start();
    const fromState = roundMachine.resolveState({ value: sim.state.phase, context: sim.state.context });
    const events: RoundEvent[] = [
      { type: 'round:next', at: NOW, caller: FACILITATOR, id: 'next' },
      { type: 'round:back', at: NOW, caller: FACILITATOR, id: 'back' },
      { type: 'round:pause', at: NOW, caller: FACILITATOR, id: 'pause' },
      { type: 'round:resume', at: NOW, caller: FACILITATOR, id: 'resume' },
    ];
    const paths = getSimplePaths(roundMachine, {
      fromState,
      events,
      serializeState: snapKey,
      toState: (s) => s.value === 'ended',
    });
    // Seven phases lie between the start and ended (present, reflect, nextSteps twice, evaluate);
    // in each the clock is either left running or paused before `next`. Resume and back only lead
    // to keys already on the path, so a simple path cannot take them: 2^7 paths.
    expect(paths.length).toBe(2 ** 7);
    const shortest = Math.min(...paths.map((p) => p.steps.length));
    // present, reflect, nextSteps for each of two turns, evaluate, ended: 7 phases after the start.
    const direct = paths.find((p) => p.steps.length === shortest)!;
    expect(direct.steps.map((s) => `${String(s.state.value)}@${s.state.context.turn}`)).toEqual([
      'present@0',
      'reflect@0',
      'nextSteps@0',
      'present@1',
      'reflect@1',
      'nextSteps@1',
      'evaluate@1',
      'ended@1',
    ]);
    for (const path of paths) {
      let state: RoundState | null = sim.state;
      for (const step of path.steps.slice(1)) {
        state = applyEvent(state!, step.event as RoundEvent);
        expect(state?.phase).toBe(step.state.value);
        expect(state?.context.turn).toBe(step.state.context.turn);
      }
      expect(state?.phase).toBe('ended');
    }
  });
});
