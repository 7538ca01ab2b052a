/**
 * The store re-projects only the tables an event type can change (TOUCHES). This drives every
 * event type through the real engine and checks that no event changes a projected array that
 * its entry leaves out — so a change in the machine cannot silently leave projections stale.
 */
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECTION_SOURCES, PROJECTION_TABLES, TOUCHES, tablesTouchedBy } from '../src/storage/projections.js';
import { FACILITATOR, RoundDriver, as, focusRound, freshCode } from './round.js';

/** Everything focusRound leaves out: clock commands, time-out, back, reveal, lock, removals. */
function clockRound(): RoundDriver {
  const r = new RoundDriver(freshCode(), undefined, { hideUntilReveal: true });
  const ada = r.join('Ada');
  const ben = r.join('Ben');
  const cem = r.join('Cem');
  r.send('session:lock', { locked: true }, FACILITATOR);
  r.send('challenge:submit', { title: 'Budget', context: '', question: 'Cut what?' }, as(ada), 'c-ada');
  r.send('round:start', { shuffle: false }, FACILITATOR);
  r.send('vote:cast', { challengeId: 'c-ada' }, as(cem));
  r.send('participant:remove', { participantId: cem }, FACILITATOR);
  r.send('round:pause', {}, FACILITATOR);
  r.send('round:resume', {}, FACILITATOR);
  r.send('round:addTime', { ms: 60_000 }, FACILITATOR);
  const timer = r.state.context.timer;
  if (timer.status !== 'running') throw new Error('clock should run');
  r.now = timer.deadline; // the time-out arrives just after the deadline
  r.send('round:timeout', {}, { role: 'system' });
  r.send('round:next', {}, FACILITATOR);
  r.send('challenge:confirm', {}, as(ada));
  r.send('round:next', {}, FACILITATOR);
  r.send('round:next', {}, FACILITATOR);
  r.send('contribution:add', { kind: 'reflection', text: 'Held back', anonymous: false }, as(ben));
  r.send('round:reveal', {}, FACILITATOR);
  r.send('round:next', {}, FACILITATOR);
  r.send('nextStep:add', { text: 'Ask finance' }, as(ada), 'n-1');
  r.send('nextStep:remove', { nextStepId: 'n-1' }, as(ada));
  r.send('round:back', {}, FACILITATOR);
  return r;
}

describe('projection map', () => {
  it('names every projected array an event changes', () => {
    const seen = new Set<string>();
    for (const round of [focusRound(), clockRound()]) {
      let before = round.initial;
      for (const { event, state } of round.steps) {
        seen.add(event.type);
        const changed = PROJECTION_TABLES.filter(
          (table) => !isDeepStrictEqual(before.context[PROJECTION_SOURCES[table]], state.context[PROJECTION_SOURCES[table]]),
        );
        expect(tablesTouchedBy(event.type), `${event.type} changed ${changed.join(', ')}`).toEqual(expect.arrayContaining(changed));
        before = state;
      }
    }
    // Every listed event type was exercised, so the check above covers the whole map.
    expect([...seen].sort()).toEqual(Object.keys(TOUCHES).sort());
  });

  it('re-projects every table for an event type it does not know', () => {
    expect(tablesTouchedBy('round:somethingNew')).toEqual(PROJECTION_TABLES);
    expect(tablesTouchedBy('contribution:add')).toEqual(['contributions']);
  });
});
