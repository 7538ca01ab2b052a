import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvent, applyPatch, headOf, patchFor, patchWithBasis, viewFor, viewWithBasis, type RoundState, type Viewer } from '../src/index.js';
import { PEOPLE, step, toEvent } from './commands.js';
import { FACILITATOR, Sim, as, roundInput } from './helpers.js';

const VIEWERS: Viewer[] = [
  { role: 'facilitator' },
  { role: 'board' },
  ...PEOPLE.map((participantId) => ({ role: 'participant' as const, participantId })),
];

describe('patches', () => {
  it('applying patchFor(prev, next) to viewFor(prev) gives viewFor(next), for every role, any round and any presence', () => {
    let checked = 0;
    const presence = fc.array(fc.subarray(PEOPLE), { minLength: 63, maxLength: 63 });
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.array(step, { maxLength: 60 }), presence, (hideUntilReveal, everyone, steps, onlines) => {
        const sim = new Sim(roundInput(everyone ? 'everyone' : 'focus', { hideUntilReveal, autoAdvance: true }));
        for (const [i, id] of PEOPLE.entries()) sim.join(`Person ${i}`, id);
        const plan = [{ kind: 'submit' as const, who: 0 }, ...steps.slice(0, 3), { kind: 'next' as const }, ...steps.slice(3)];
        for (const [i, s] of plan.entries()) {
          if (sim.phase === 'lobby' && s.kind === 'next') sim.state = applyEvent(sim.state, sim.event('round:start', { shuffle: false }, FACILITATOR)) ?? sim.state;
          const prev: RoundState = sim.state;
          const next = applyEvent(prev, toEvent(sim, s));
          sim.tick(1000);
          if (!next) continue;
          sim.state = next;
          // Who was online when the viewer got `prev`, and who is now.
          const before = new Set(onlines[i]);
          const now = new Set(onlines[i + 1]);
          for (const viewer of VIEWERS) {
            const had = viewFor(prev, viewer, before);
            const expected = viewFor(next, viewer, now);
            // Against what the viewer has: only what changed. Knowing nothing: every part.
            expect(applyPatch(had, patchFor(prev, next, viewer, now, headOf(had)))).toEqual(expected);
            expect(applyPatch(had, patchFor(prev, next, viewer, now))).toEqual(expected);
            checked++;
          }
        }
      }),
      { numRuns: 150 },
    );
    expect(checked).toBeGreaterThan(1000);
  });

  it('patches made for a whole room match patchFor for each viewer, and viewers with one key share one patch', () => {
    let shared = 0;
    const room: Viewer[] = [...VIEWERS, { role: 'board' }, { role: 'participant', participantId: 'p2' }];
    const presence = fc.array(fc.subarray(PEOPLE), { minLength: 63, maxLength: 63 });
    const lagging = fc.array(fc.subarray([...room.keys()]), { minLength: 63, maxLength: 63 });
    fc.assert(
      fc.property(fc.boolean(), fc.array(step, { maxLength: 60 }), presence, lagging, (hideUntilReveal, steps, onlines, skips) => {
        const sim = new Sim(roundInput('focus', { hideUntilReveal, autoAdvance: true }));
        for (const [i, id] of PEOPLE.entries()) sim.join(`Person ${i}`, id);
        // What each screen of the room has: its version's state, its view and its basis.
        const screens = room.map((viewer) => ({ viewer, state: sim.state, ...viewWithBasis(sim.state, viewer, new Set()) }));
        const plan = [{ kind: 'submit' as const, who: 0 }, { kind: 'next' as const }, ...steps];
        for (const [i, s] of plan.entries()) {
          if (sim.phase === 'lobby' && s.kind === 'next') sim.state = applyEvent(sim.state, sim.event('round:start', { shuffle: false }, FACILITATOR)) ?? sim.state;
          const next = applyEvent(sim.state, toEvent(sim, s));
          sim.tick(1000);
          // No change is a presence change: the same state, other people online.
          if (next) sim.state = next;
          const online = new Set(onlines[i]);
          const byKey = new Map<string, object>();
          for (const [j, screen] of screens.entries()) {
            // Some screens miss a message now and then: their next patch starts further back.
            if (skips[i]!.includes(j)) continue;
            const made = patchWithBasis(screen.state, sim.state, screen.viewer, online, screen.basis);
            expect(made.patch).toEqual(patchFor(screen.state, sim.state, screen.viewer, online, headOf(screen.view)));
            const view = applyPatch(screen.view, made.patch);
            expect(view).toEqual(viewFor(sim.state, screen.viewer, online));
            if (made.key !== null) {
              const first = byKey.get(made.key);
              if (first) {
                expect(made.patch).toBe(first);
                shared++;
              } else byKey.set(made.key, made.patch);
            }
            Object.assign(screen, { state: sim.state, view, basis: made.basis });
          }
        }
      }),
      { numRuns: 100 },
    );
    expect(shared).toBeGreaterThan(500);
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
    const viewer = { role: 'participant' as const, participantId: ada };
    const online = new Set([ada, ben]);
    const known = headOf(viewFor(prev, viewer, online));
    const patch = patchFor(prev, sim.state, viewer, online, known);
    expect(patch.contributions.upsert.map((c) => [c.text, c.authorId])).toEqual([['the new one', null]]);
    expect(patch.contributions.remove).toEqual([]);
    expect(patch.challenges.upsert).toEqual([]);
    // Nothing else changed for Ada: no part of the rest of her view is sent again.
    expect(patch.view).toEqual({});
    // Ben goes offline: only the list of people changes.
    const presence = patchFor(sim.state, sim.state, viewer, new Set([ada]), headOf(viewFor(sim.state, viewer, online)));
    expect(Object.keys(presence.view)).toEqual(['participants']);
    expect(presence.view.participants?.find((p) => p.id === ben)?.online).toBe(false);
  });
});
