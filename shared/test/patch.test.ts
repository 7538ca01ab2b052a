import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvent, applyPatch, patchFor, viewFor, type RoundEvent, type RoundState, type Viewer } from '../src/index.js';
import { FACILITATOR, MIN, SYSTEM, Sim, as, roundInput } from './helpers.js';

const PEOPLE = ['p1', 'p2', 'p3'];
const VIEWERS: Viewer[] = [
  { role: 'facilitator' },
  { role: 'board' },
  ...PEOPLE.map((participantId) => ({ role: 'participant' as const, participantId })),
];

/** A vocabulary of commands from every role; many are refused in a given state, which is fine. */
const step = fc.oneof(
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
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function toEvent(sim: Sim, s: Step): RoundEvent {
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

describe('patches', () => {
  it('applying patchFor(prev, next) to viewFor(prev) gives viewFor(next), for every role and any round', () => {
    let checked = 0;
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.array(step, { maxLength: 60 }), (hideUntilReveal, everyone, steps) => {
        const sim = new Sim(roundInput(everyone ? 'everyone' : 'focus', { hideUntilReveal, autoAdvance: true }));
        for (const [i, id] of PEOPLE.entries()) sim.join(`Person ${i}`, id);
        const online = new Set(PEOPLE.slice(0, 2));
        for (const s of [{ kind: 'submit' as const, who: 0 }, ...steps.slice(0, 3), { kind: 'next' as const }, ...steps.slice(3)]) {
          if (sim.phase === 'lobby' && s.kind === 'next') sim.state = applyEvent(sim.state, sim.event('round:start', { shuffle: false }, FACILITATOR)) ?? sim.state;
          const prev: RoundState = sim.state;
          const next = applyEvent(prev, toEvent(sim, s));
          sim.tick(1000);
          if (!next) continue;
          sim.state = next;
          for (const viewer of VIEWERS) {
            expect(applyPatch(viewFor(prev, viewer, online), patchFor(prev, next, viewer, online))).toEqual(viewFor(next, viewer, online));
            checked++;
          }
        }
      }),
      { numRuns: 150 },
    );
    expect(checked).toBeGreaterThan(1000);
  });

  it('sends only what changed: one new contribution is one upsert', () => {
    const sim = new Sim(roundInput('focus'));
    const ada = sim.join('Ada');
    const ben = sim.join('Ben');
    const challenge = sim.submit(ada, 'Tired team');
    sim.start();
    sim.send('challenge:pick', { challengeId: challenge }, FACILITATOR);
    sim.send('challenge:confirm', {}, as(ada));
    for (let i = 0; i < 20; i++) sim.send('contribution:add', { kind: 'question', text: `q${i}`, anonymous: false }, as(ben));
    const prev = sim.state;
    sim.send('contribution:add', { kind: 'question', text: 'the new one', anonymous: true }, as(ben));
    const patch = patchFor(prev, sim.state, { role: 'participant', participantId: ada });
    expect(patch.contributions.upsert.map((c) => [c.text, c.authorId])).toEqual([['the new one', null]]);
    expect(patch.contributions.remove).toEqual([]);
    expect(patch.challenges.upsert).toEqual([]);
  });
});
