/**
 * Property-test material: random command sequences from every role, as events of a simulated
 * round. Not a test file (vitest only collects *.test.ts).
 */
import fc from 'fast-check';
import type { RoundEvent } from '../src/index.js';
import { FACILITATOR, MIN, SYSTEM, Sim, as } from './helpers.js';

export const PEOPLE = ['p1', 'p2', 'p3'];

/** A vocabulary of commands from every role; many are refused in a given state, which is fine. */
export const step = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('next' as const) }), weight: 4 },
  fc.record({ kind: fc.constant('back' as const) }),
  { arbitrary: fc.record({ kind: fc.constant('reveal' as const) }), weight: 2 },
  fc.record({ kind: fc.constant('pause' as const) }),
  { arbitrary: fc.record({ kind: fc.constant('confirm' as const), who: fc.constant(0) }), weight: 2 },
  fc.record({ kind: fc.constant('submit' as const), who: fc.nat(2) }),
  fc.record({ kind: fc.constant('vote' as const), who: fc.nat(2), target: fc.nat(2) }),
  {
    arbitrary: fc.record({ kind: fc.constant('contribute' as const), who: fc.nat(2), anonymous: fc.boolean(), text: fc.string({ minLength: 1, maxLength: 8 }) }),
    weight: 6,
  },
  fc.record({ kind: fc.constant('hide' as const), target: fc.nat(20), hidden: fc.boolean() }),
  fc.record({ kind: fc.constant('useful' as const), who: fc.nat(2), target: fc.nat(20) }),
  fc.record({ kind: fc.constant('note' as const), who: fc.nat(2), text: fc.string({ maxLength: 5 }) }),
  fc.record({ kind: fc.constant('nextStep' as const), who: fc.nat(2) }),
  fc.record({ kind: fc.constant('timeout' as const) }),
);
export type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

export function toEvent(sim: Sim, s: Step): RoundEvent {
  const ctx = sim.ctx;
  const person = 'who' in s ? as(PEOPLE[s.who]!) : FACILITATOR;
  const contribution = 'target' in s ? ctx.contributions[s.target % Math.max(1, ctx.contributions.length)] : undefined;
  switch (s.kind) {
    case 'next':
      return sim.event('round:next', {}, FACILITATOR);
    case 'back':
      return sim.event('round:back', {}, FACILITATOR);
    case 'reveal':
      return sim.event('round:reveal', {}, FACILITATOR);
    case 'pause':
      return sim.event('round:pause', {}, FACILITATOR);
    case 'confirm':
      return sim.event('challenge:confirm', {}, person);
    case 'submit':
      return sim.event('challenge:submit', { title: 't', context: '', question: 'q' }, person);
    case 'vote':
      return sim.event('vote:cast', { challengeId: ctx.challenges[s.target % Math.max(1, ctx.challenges.length)]?.id ?? 'none' }, person);
    case 'contribute':
      return sim.event('contribution:add', { kind: 'reflection', text: s.text, anonymous: s.anonymous }, person);
    case 'hide':
      return sim.event('contribution:hide', { contributionId: contribution?.id ?? 'none', hidden: s.hidden }, FACILITATOR);
    case 'useful':
      return sim.event('contribution:markUseful', { contributionId: contribution?.id ?? 'none', useful: true }, person);
    case 'note':
      return sim.event('note:set', { challengeId: ctx.focusId ?? 'none', text: s.text }, person);
    case 'nextStep':
      return sim.event('nextStep:add', { text: 'step' }, person);
    case 'timeout':
      return sim.event('round:timeout', {}, SYSTEM, { at: sim.now + 60 * MIN });
  }
}
