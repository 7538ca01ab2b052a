import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transition } from 'xstate';
import { applyEvent, roleAllows, roundMachine, type RoundEvent, type RoundState } from '../src/index.js';
import { PEOPLE, step, toEvent } from './commands.js';
import { clone, FACILITATOR, roundInput, Sim } from './helpers.js';

/** XState's own pure transition from the state as stored: what applyEvent must agree with. */
function reference(state: RoundState, event: RoundEvent): RoundState | null {
  const snapshot = roundMachine.resolveState({ value: state.phase, context: state.context });
  const next = roleAllows(event.type, event.caller, state.context) && snapshot.can(event) ? transition(roundMachine, snapshot, event)[0] : null;
  return next && { phase: next.value as RoundState['phase'], context: next.context };
}

describe('the engine', () => {
  it("applies events as XState's transition() does, whether the state came from the engine or from storage", () => {
    let applied = 0;
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.array(step, { maxLength: 60 }), (hideUntilReveal, everyone, steps) => {
        const sim = new Sim(roundInput(everyone ? 'everyone' : 'focus', { hideUntilReveal, autoAdvance: true }));
        for (const [i, id] of PEOPLE.entries()) sim.join(`Person ${i}`, id);
        const plan = [{ kind: 'submit' as const, who: 0 }, { kind: 'next' as const }, ...steps];
        for (const s of plan) {
          const event = sim.phase === 'lobby' && s.kind === 'next' ? sim.event('round:start', { shuffle: false }, FACILITATOR) : toEvent(sim, s);
          const prev = sim.state;
          // As loaded from the database: equal data, none of the engine's cached snapshots.
          const stored = clone(prev);
          const next = applyEvent(prev, event);
          expect(next).toEqual(reference(stored, event));
          expect(applyEvent(stored, event)).toEqual(next);
          sim.tick(1000);
          if (!next) continue;
          sim.state = next;
          applied++;
        }
      }),
      { numRuns: 150 },
    );
    expect(applied).toBeGreaterThan(400);
  });
});
