/**
 * Whole rounds as pure transitions (startRound/applyEvent) with a simulated clock: every event
 * carries `at`, and the test moves `now` forward itself.
 */
import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  DEFAULT_DURATIONS,
  EVERYONE_TURN,
  nextDeadline,
  phasesOf,
  splitTurnDurations,
  topVoted,
  type Durations,
  type Phase,
} from '../src/index.js';
import { as, BOARD, clone, FACILITATOR, MIN, roundInput, SEC, Sim, SYSTEM, T0 } from './helpers.js';

/** Distinct durations, so a wrong phase's duration cannot pass for the right one. */
const FOCUS_DURATIONS: Durations = {
  choose: 2 * MIN,
  present: 4 * MIN,
  clarify: 3 * MIN,
  reflect: 7 * MIN,
  respond: 6 * MIN,
  nextSteps: 5 * MIN,
  evaluate: 1 * MIN,
};

function focusLobby(overrides: Parameters<typeof roundInput>[1] = {}) {
  const sim = new Sim(roundInput('focus', { durations: FOCUS_DURATIONS, ...overrides }));
  const ada = sim.join('Ada');
  const ben = sim.join('Ben');
  const cy = sim.join('Cy');
  const adaC = sim.submit(ada, 'Team is tired');
  const benC = sim.submit(ben, 'New budget');
  return { sim, ada, ben, cy, adaC, benC };
}

/** A focus round with Ada's challenge in focus, in `present`. */
function focusPresenting(overrides: Parameters<typeof roundInput>[1] = {}) {
  const r = focusLobby(overrides);
  r.sim.start();
  r.sim.send('challenge:pick', { challengeId: r.adaC }, FACILITATOR);
  r.sim.send('challenge:confirm', {}, as(r.ada));
  expect(r.sim.phase).toBe('present');
  return r;
}

function everyoneStarted(overrides: Parameters<typeof roundInput>[1] = {}, names = ['Ada', 'Ben', 'Cy']) {
  const sim = new Sim(roundInput('everyone', overrides));
  const people = names.map((n) => sim.join(n));
  const challenges = people.map((p, i) => sim.submit(p, `Challenge ${names[i]}`));
  sim.tick(30 * SEC);
  sim.start({ shuffle: false });
  return { sim, people, challenges };
}

/** Asserts the clock was started for `phase` at `now`: deadline = at + duration. */
function expectFreshClock(sim: Sim, duration: number) {
  expect(sim.ctx.timer).toEqual({ status: 'running', deadline: sim.now + duration, durationMs: duration });
  expect(nextDeadline(sim.state)).toBe(sim.now + duration);
}

describe('a full focus round', () => {
  it('walks lobby → choose → confirm → present → clarify → reflect → respond → nextSteps → evaluate → ended', () => {
    const { sim, ada, ben, cy, adaC, benC } = focusLobby();
    expect(sim.phase).toBe('lobby');
    expect(sim.ctx.timer).toEqual({ status: 'none' });
    expect(nextDeadline(sim.state)).toBeNull();
    expect(sim.ctx.participants.map((p) => p.name)).toEqual(['Ada', 'Ben', 'Cy']);
    expect(sim.ctx.challenges.map((c) => [c.id, c.ownerId])).toEqual([
      [adaC, ada],
      [benC, ben],
    ]);

    const visited: Phase[] = [sim.phase];
    sim.tick(MIN).start();
    visited.push(sim.phase);
    expect(sim.phase).toBe('choose');
    expectFreshClock(sim, FOCUS_DURATIONS.choose);

    // Dots: Ben and Cy on Ben's challenge... but Ada and Cy twice on Ada's: Ada's wins 3 to 2.
    sim.tick(10 * SEC);
    sim.send('vote:cast', { challengeId: adaC }, as(ada));
    sim.send('vote:cast', { challengeId: adaC }, as(cy));
    sim.send('vote:cast', { challengeId: adaC }, as(cy));
    sim.send('vote:cast', { challengeId: benC }, as(ben));
    sim.send('vote:cast', { challengeId: benC }, as(cy));
    expect(topVoted(sim.ctx)?.id).toBe(adaC);
    // The deadline is absolute: other events do not move it.
    expect(sim.deadline).toBe(T0 + MIN + FOCUS_DURATIONS.choose);

    sim.tick(20 * SEC).next();
    visited.push(sim.phase);
    expect(sim.phase).toBe('confirm');
    expect(sim.ctx.focusId).toBe(adaC);
    // The voting clock keeps running in confirm.
    expect(sim.deadline).toBe(T0 + MIN + FOCUS_DURATIONS.choose);

    sim.refuse('challenge:confirm', {}, as(ben));
    sim.refuse('challenge:confirm', {}, FACILITATOR);
    sim.tick(5 * SEC).send('challenge:confirm', {}, as(ada));
    visited.push(sim.phase);
    expect(sim.phase).toBe('present');
    expectFreshClock(sim, FOCUS_DURATIONS.present);

    sim.tick(MIN).send('contribution:add', { kind: 'question', text: 'How long has it been?', anonymous: false }, as(ben));
    sim.refuse('contribution:add', { kind: 'question', text: 'Me too', anonymous: false }, as(ada));
    sim.tick(MIN).next();
    visited.push(sim.phase);
    expect(sim.phase).toBe('clarify');
    expectFreshClock(sim, FOCUS_DURATIONS.clarify);
    sim.send('contribution:add', { kind: 'question', text: 'Who decides?', anonymous: false }, as(cy));

    sim.tick(MIN).next();
    visited.push(sim.phase);
    expect(sim.phase).toBe('reflect');
    expectFreshClock(sim, FOCUS_DURATIONS.reflect);
    sim.tick(SEC).send('contribution:add', { kind: 'reflection', text: 'Try a retro', anonymous: true }, as(ben), { id: 'k-retro' });
    sim.send('contribution:add', { kind: 'suggestion', text: 'Ask them', anonymous: false }, as(cy), { id: 'k-ask' });
    expect(sim.ctx.contributions.map((c) => [c.phase, c.authorId, c.challengeId])).toEqual([
      ['present', ben, adaC],
      ['clarify', cy, adaC],
      ['reflect', ben, adaC],
      ['reflect', cy, adaC],
    ]);

    sim.tick(MIN).next();
    visited.push(sim.phase);
    expect(sim.phase).toBe('respond');
    expectFreshClock(sim, FOCUS_DURATIONS.respond);
    sim.refuse('contribution:add', { kind: 'reflection', text: 'Late', anonymous: false }, as(cy));
    sim.refuse('contribution:markUseful', { contributionId: 'k-retro', useful: true }, as(ben));
    sim.send('contribution:markUseful', { contributionId: 'k-retro', useful: true }, as(ada));
    expect(sim.ctx.contributions.find((c) => c.id === 'k-retro')?.useful).toBe(true);

    sim.tick(MIN).next();
    visited.push(sim.phase);
    expect(sim.phase).toBe('nextSteps');
    expectFreshClock(sim, FOCUS_DURATIONS.nextSteps);
    sim.send('nextStep:add', { text: 'Hold a retro on Friday' }, as(ada), { id: 's-1' });
    sim.refuse('nextStep:add', { text: 'Not mine to add' }, as(ben));
    sim.send('note:set', { challengeId: adaC, text: 'Retros for my team too' }, as(cy));
    expect(sim.ctx.nextSteps).toEqual([{ id: 's-1', challengeId: adaC, text: 'Hold a retro on Friday', at: sim.now }]);

    sim.tick(MIN).next();
    visited.push(sim.phase);
    expect(sim.phase).toBe('evaluate');
    expectFreshClock(sim, FOCUS_DURATIONS.evaluate);
    sim.send('evaluation:submit', { usefulness: 5, process: 4, comment: 'Good' }, as(ben));

    sim.tick(MIN).next();
    visited.push(sim.phase);
    expect(sim.phase).toBe('ended');
    expect(sim.ctx.timer).toEqual({ status: 'none' });
    expect(nextDeadline(sim.state)).toBeNull();
    // Late evaluations are still taken; the round goes nowhere after ended.
    sim.send('evaluation:submit', { usefulness: 4, process: 4, comment: '' }, as(cy));
    expect(sim.ctx.evaluations).toHaveLength(2);
    sim.refuse('round:next', {}, FACILITATOR);
    sim.refuse('round:back', {}, FACILITATOR);
    sim.refuse('round:addTime', { ms: MIN }, FACILITATOR);

    expect(visited).toEqual(phasesOf('focus'));
  });

  it('time-outs drive a whole focus round with autoAdvance, each phase on its own deadline', () => {
    const { sim } = focusLobby({ autoAdvance: true });
    sim.start();
    const seen: Phase[] = [];
    // The owner has to confirm; everything else advances by itself.
    for (let guard = 0; guard < 20 && sim.phase !== 'ended'; guard++) {
      if (sim.phase === 'confirm') {
        sim.send('challenge:confirm', {}, as(sim.ctx.challenges.find((c) => c.id === sim.ctx.focusId)!.ownerId));
        seen.push(sim.phase);
        continue;
      }
      const deadline = sim.deadline;
      expect(sim.timeout(deadline - 1), `early time-out in ${sim.phase}`).toBeNull();
      sim.now = deadline;
      const next = sim.timeout();
      expect(next, `time-out at the deadline in ${sim.phase}`).not.toBeNull();
      sim.state = next!;
      seen.push(sim.phase);
    }
    expect(seen).toEqual(['confirm', 'present', 'clarify', 'reflect', 'respond', 'nextSteps', 'evaluate', 'ended']);
  });
});

describe('a full everyone-presents round', () => {
  it('repeats present → reflect → nextSteps for each challenge, then evaluate → ended', () => {
    const { sim, people, challenges } = everyoneStarted();
    const durations = DEFAULT_DURATIONS.everyone;
    expect(sim.ctx.order).toEqual(challenges);
    const walked: string[] = [];
    for (let turn = 0; turn < challenges.length; turn++) {
      const owner = people[turn]!;
      const other = people[(turn + 1) % people.length]!;
      for (const phase of EVERYONE_TURN) {
        expect(sim.phase).toBe(phase);
        expect(sim.ctx.turn).toBe(turn);
        expect(sim.ctx.focusId).toBe(challenges[turn]);
        expectFreshClock(sim, durations[phase]);
        walked.push(`${phase}@${turn}`);
        if (phase === 'present' || phase === 'reflect') {
          // The presenter cannot contribute to their own challenge; the others can, and did earlier turns' owners.
          sim.refuse('contribution:add', { kind: 'reflection', text: 'mine', anonymous: false }, as(owner));
          sim.send('contribution:add', { kind: 'reflection', text: `for ${turn}`, anonymous: false }, as(other), { id: `k-${turn}-${phase}` });
        }
        if (phase === 'nextSteps') {
          sim.refuse('nextStep:add', { text: 'not my challenge' }, as(other));
          sim.send('nextStep:add', { text: `step ${turn}` }, as(owner));
          sim.send('contribution:markUseful', { contributionId: `k-${turn}-reflect`, useful: true }, as(owner));
          // A previous turn's contribution is no longer the owner's to mark.
          if (turn > 0) sim.refuse('contribution:markUseful', { contributionId: `k-${turn - 1}-reflect`, useful: false }, as(owner));
        }
        sim.tick(MIN).next();
      }
    }
    expect(walked).toEqual(['present@0', 'reflect@0', 'nextSteps@0', 'present@1', 'reflect@1', 'nextSteps@1', 'present@2', 'reflect@2', 'nextSteps@2']);
    expect(sim.phase).toBe('evaluate');
    expect(sim.ctx.turn).toBe(2);
    expectFreshClock(sim, durations.evaluate);
    sim.next();
    expect(sim.phase).toBe('ended');
    expect(sim.ctx.nextSteps.map((s) => [s.challengeId, s.text])).toEqual(challenges.map((c, i) => [c, `step ${i}`]));
    expect(sim.ctx.contributions.filter((c) => c.useful).map((c) => c.id)).toEqual(['k-0-reflect', 'k-1-reflect', 'k-2-reflect']);
    expect(phasesOf('everyone')).toEqual(['lobby', 'present', 'reflect', 'nextSteps', 'evaluate', 'ended']);
  });

  it('cannot start without challenges; a focus round can', () => {
    const everyone = new Sim(roundInput('everyone'));
    everyone.join('Ada');
    everyone.refuse('round:start', { shuffle: false }, FACILITATOR);
    const focus = new Sim(roundInput('focus'));
    focus.start();
    expect(focus.phase).toBe('choose');
    // ...but cannot leave choose without one.
    focus.refuse('round:next', {}, FACILITATOR);
    focus.refuse('challenge:pick', {}, FACILITATOR);
  });

  it('takes a given order first, drops unknown and repeated ids, and appends the rest', () => {
    const sim = new Sim(roundInput('everyone'));
    const ids = ['A', 'B', 'C', 'D'].map((n) => sim.submit(sim.join(n), `challenge ${n}`));
    sim.start({ shuffle: false, order: [ids[2]!, 'nope', ids[0]!, ids[2]!] });
    expect(sim.ctx.order).toEqual([ids[2], ids[0], ids[1], ids[3]]);
    expect(sim.ctx.focusId).toBe(ids[2]);
  });

  it('shuffles deterministically for the same event id, keeping every challenge once', () => {
    const build = () => {
      const sim = new Sim(roundInput('everyone'));
      const ids = ['A', 'B', 'C', 'D', 'E', 'F'].map((n) => sim.submit(sim.join(n), `challenge ${n}`));
      return { sim, ids };
    };
    const orders = new Set<string>();
    for (const seed of ['evt-a', 'evt-b', 'evt-c', 'evt-d', 'evt-e', 'evt-f', 'evt-g', 'evt-h']) {
      const one = build();
      const two = build();
      one.sim.start({ shuffle: true }, seed);
      two.sim.start({ shuffle: true }, seed);
      expect(one.sim.ctx.order).toEqual(two.sim.ctx.order);
      expect([...one.sim.ctx.order].sort()).toEqual([...one.ids].sort());
      expect(one.sim.ctx.focusId).toBe(one.sim.ctx.order[0]);
      orders.add(one.sim.ctx.order.join(','));
    }
    // Different ids give different orders (8 seeds over 720 permutations: a constant would show up as 1).
    expect(orders.size).toBeGreaterThan(1);
  });

  it('splits a total time across the turns so that n turns fit it', () => {
    const cases = [
      { total: 24 * MIN, names: ['Ada', 'Ben', 'Cy'] },
      { total: 20 * MIN, names: ['A', 'B', 'C', 'D', 'E', 'F', 'G'] },
      { total: 10 * MIN, names: ['A', 'B', 'C', 'D', 'E', 'F', 'G'] },
    ];
    for (const { total, names } of cases) {
      const { sim } = everyoneStarted({ totalMs: total }, names);
      const d = sim.ctx.durations;
      const base = DEFAULT_DURATIONS.everyone;
      const perTurn = EVERYONE_TURN.reduce((sum, p) => sum + d[p], 0);
      // Whole seconds, each rounded by at most half a second.
      for (const p of EVERYONE_TURN) expect(d[p] % SEC).toBe(0);
      expect(Math.abs(perTurn * names.length - total)).toBeLessThanOrEqual(names.length * EVERYONE_TURN.length * (SEC / 2));
      // Proportions kept (present : reflect : nextSteps = 3 : 5 : 2 by default), within rounding.
      const scale = total / names.length / (base.present + base.reflect + base.nextSteps);
      for (const p of EVERYONE_TURN) expect(Math.abs(d[p] - base[p] * scale)).toBeLessThanOrEqual(SEC / 2);
      // Phases outside a turn keep their durations; the clock uses the split ones.
      expect(d.evaluate).toBe(base.evaluate);
      expectFreshClock(sim, d.present);
      // The settings keep the originals.
      expect(sim.ctx.settings.durations).toEqual(base);
    }
    // An exact case: 24 minutes over 3 people is 8 minutes a turn, 3:5:2.
    const { sim } = everyoneStarted({ totalMs: 24 * MIN });
    expect([sim.ctx.durations.present, sim.ctx.durations.reflect, sim.ctx.durations.nextSteps]).toEqual([144 * SEC, 240 * SEC, 96 * SEC]);
  });

  it('splitTurnDurations keeps at least a second per phase and leaves durations alone without presenters', () => {
    const base = DEFAULT_DURATIONS.everyone;
    expect(splitTurnDurations(base, 10 * MIN, 0)).toEqual(base);
    const tiny = splitTurnDurations(base, 2 * SEC, 10);
    for (const p of EVERYONE_TURN) expect(tiny[p]).toBe(SEC);
    expect(splitTurnDurations(base, 30 * MIN, 3)).toEqual(base); // 10 min a turn is the default already
  });
});

describe('the clock', () => {
  it('pause keeps the remaining time; resume sets deadline = resumeAt + remaining', () => {
    const { sim } = focusPresenting();
    const started = sim.now;
    sim.tick(MIN).pause();
    expect(sim.ctx.timer).toEqual({ status: 'paused', remainingMs: FOCUS_DURATIONS.present - MIN, durationMs: FOCUS_DURATIONS.present });
    expect(nextDeadline(sim.state)).toBeNull();
    sim.refuse('round:pause', {}, FACILITATOR);
    // A time-out while paused is ignored, however late.
    expect(sim.timeout(started + 60 * MIN)).toBeNull();
    sim.tick(10 * MIN).resume();
    expect(sim.ctx.timer).toEqual({ status: 'running', deadline: sim.now + FOCUS_DURATIONS.present - MIN, durationMs: FOCUS_DURATIONS.present });
    sim.refuse('round:resume', {}, FACILITATOR);
    expect(sim.phase).toBe('present');
  });

  it('pausing after the deadline passed keeps zero, not a negative remainder', () => {
    const { sim } = focusPresenting();
    sim.tick(FOCUS_DURATIONS.present + 5 * SEC).pause();
    expect(sim.ctx.timer).toMatchObject({ status: 'paused', remainingMs: 0 });
    sim.tick(MIN).resume();
    expect(sim.deadline).toBe(sim.now);
  });

  it('add time extends a running clock and a paused one, never below zero', () => {
    const { sim } = focusPresenting();
    const deadline = sim.deadline;
    sim.tick(MIN).addTime(2 * MIN);
    expect(sim.deadline).toBe(deadline + 2 * MIN);
    sim.addTime(-MIN);
    expect(sim.deadline).toBe(deadline + MIN);
    sim.addTime(-60 * MIN);
    expect(sim.deadline).toBe(sim.now); // not in the past
    sim.addTime(3 * MIN).pause();
    expect(sim.ctx.timer).toMatchObject({ status: 'paused', remainingMs: 3 * MIN });
    sim.addTime(MIN);
    expect(sim.ctx.timer).toMatchObject({ status: 'paused', remainingMs: 4 * MIN });
    sim.addTime(-10 * MIN);
    expect(sim.ctx.timer).toEqual({ status: 'paused', remainingMs: 0, durationMs: FOCUS_DURATIONS.present });
  });

  it('add time restarts an expired clock from now', () => {
    const { sim } = focusPresenting();
    sim.now = sim.deadline;
    sim.state = sim.timeout()!;
    expect(sim.ctx.timer).toEqual({ status: 'expired', durationMs: FOCUS_DURATIONS.present });
    sim.tick(3 * MIN).addTime(2 * MIN);
    expect(sim.ctx.timer).toEqual({ status: 'running', deadline: sim.now + 2 * MIN, durationMs: FOCUS_DURATIONS.present });
    expect(sim.phase).toBe('present');
  });

  it('there is no clock to add time to in the lobby', () => {
    const { sim } = focusLobby();
    sim.refuse('round:addTime', { ms: MIN }, FACILITATOR);
    sim.refuse('round:pause', {}, FACILITATOR);
    sim.refuse('round:timeout', {}, SYSTEM, { at: T0 + 600 * MIN });
  });

  it('ignores a time-out before the deadline', () => {
    const { sim } = focusPresenting({ autoAdvance: true });
    sim.refuse('round:timeout', {}, SYSTEM, { at: sim.deadline - 1 });
    sim.refuse('round:timeout', {}, SYSTEM, { at: sim.now });
    expect(sim.phase).toBe('present');
  });

  it('without autoAdvance a time-out expires the clock and the phase stays, once', () => {
    const { sim } = focusPresenting({ autoAdvance: false });
    sim.now = sim.deadline;
    sim.state = sim.timeout()!;
    expect(sim.phase).toBe('present');
    expect(sim.ctx.timer).toEqual({ status: 'expired', durationMs: FOCUS_DURATIONS.present });
    // A repeated time-out changes nothing and is refused.
    sim.refuse('round:timeout', {}, SYSTEM, { at: sim.now + MIN });
    // The facilitator moves on by hand; the next phase gets a fresh clock.
    sim.tick(30 * SEC).next();
    expect(sim.phase).toBe('clarify');
    expectFreshClock(sim, FOCUS_DURATIONS.clarify);
  });

  it('with autoAdvance a time-out advances exactly once; the next phase waits for its own deadline', () => {
    const { sim } = focusPresenting({ autoAdvance: true });
    const deadline = sim.deadline;
    // The server sends the time-out at max(now, deadline); it may arrive a little late.
    sim.now = deadline + 2 * SEC;
    const timeout = sim.event('round:timeout', {}, SYSTEM);
    sim.state = applyEvent(sim.state, timeout)!;
    expect(sim.phase).toBe('clarify');
    expectFreshClock(sim, FOCUS_DURATIONS.clarify);
    // The same time-out delivered twice, or another one at the same time, does nothing.
    expect(applyEvent(sim.state, timeout)).toBeNull();
    sim.refuse('round:timeout', {}, SYSTEM, { at: sim.deadline - 1 });
    expect(sim.phase).toBe('clarify');
    // Only at clarify's own deadline.
    sim.now = sim.deadline;
    sim.state = sim.timeout()!;
    expect(sim.phase).toBe('reflect');
  });

  it('with autoAdvance choose moves to confirm with the top-voted challenge; with no challenge it only expires', () => {
    const { sim, adaC, benC, ben, cy } = focusLobby({ autoAdvance: true });
    sim.start();
    sim.send('vote:cast', { challengeId: benC }, as(ben));
    sim.send('vote:cast', { challengeId: benC }, as(cy));
    sim.send('vote:cast', { challengeId: adaC }, as(cy));
    sim.now = sim.deadline;
    sim.state = sim.timeout()!;
    expect(sim.phase).toBe('confirm');
    expect(sim.ctx.focusId).toBe(benC);
    // Confirm waits for the owner: the leftover voting clock only expires.
    sim.state = sim.timeout()!;
    expect(sim.phase).toBe('confirm');
    expect(sim.ctx.timer.status).toBe('expired');

    const empty = new Sim(roundInput('focus', { autoAdvance: true }));
    empty.start();
    empty.now = empty.deadline;
    empty.state = empty.timeout()!;
    expect(empty.phase).toBe('choose');
    expect(empty.ctx.timer.status).toBe('expired');
  });

  it('ties in the vote go to the challenge submitted first', () => {
    const { sim, adaC, benC, ada, ben } = focusLobby();
    sim.start();
    sim.send('vote:cast', { challengeId: benC }, as(ada));
    sim.send('vote:cast', { challengeId: adaC }, as(ben));
    sim.send('challenge:pick', {}, FACILITATOR);
    expect(sim.ctx.focusId).toBe(adaC);
  });
});

describe('back and skip', () => {
  it('focus: back from each phase goes to the one before, with a fresh clock; choose clears the focus', () => {
    const { sim, ada, adaC } = focusPresenting();
    const expected: [Phase, Phase][] = [
      ['evaluate', 'nextSteps'],
      ['nextSteps', 'respond'],
      ['respond', 'reflect'],
      ['reflect', 'clarify'],
      ['clarify', 'present'],
    ];
    // Walk forward to evaluate.
    for (let i = 0; i < 5; i++) sim.tick(MIN).next();
    expect(sim.phase).toBe('evaluate');
    for (const [from, to] of expected) {
      expect(sim.phase).toBe(from);
      sim.tick(10 * SEC).back();
      expect(sim.phase).toBe(to);
      expectFreshClock(sim, FOCUS_DURATIONS[to as keyof Durations]);
      expect(sim.ctx.focusId).toBe(adaC);
    }
    sim.tick(10 * SEC).back();
    expect(sim.phase).toBe('choose');
    expect(sim.ctx.focusId).toBeNull();
    expectFreshClock(sim, FOCUS_DURATIONS.choose);
    sim.refuse('round:back', {}, FACILITATOR); // nothing before choose

    sim.send('challenge:pick', { challengeId: adaC }, FACILITATOR);
    expect(sim.phase).toBe('confirm');
    sim.back();
    expect(sim.phase).toBe('choose');
    expect(sim.ctx.focusId).toBeNull();
    sim.send('challenge:pick', { challengeId: adaC }, FACILITATOR);
    sim.send('challenge:confirm', {}, as(ada));
    expect(sim.phase).toBe('present');
  });

  it('everyone: back from present of turn 2 goes to nextSteps of turn 1; turn 1 of present has no way back', () => {
    const { sim, challenges } = everyoneStarted();
    const d = DEFAULT_DURATIONS.everyone;
    sim.refuse('round:back', {}, FACILITATOR); // present of the first turn
    for (let i = 0; i < 3; i++) sim.tick(MIN).next();
    expect([sim.phase, sim.ctx.turn, sim.ctx.focusId]).toEqual(['present', 1, challenges[1]]);
    sim.tick(MIN).back();
    expect([sim.phase, sim.ctx.turn, sim.ctx.focusId]).toEqual(['nextSteps', 0, challenges[0]]);
    expectFreshClock(sim, d.nextSteps);
    sim.back();
    expect([sim.phase, sim.ctx.turn]).toEqual(['reflect', 0]);
    expectFreshClock(sim, d.reflect);
    sim.back();
    expect([sim.phase, sim.ctx.turn]).toEqual(['present', 0]);
    // Forward to evaluate, then back to the last turn's next steps.
    for (let i = 0; i < 9; i++) sim.tick(MIN).next();
    expect([sim.phase, sim.ctx.turn]).toEqual(['evaluate', 2]);
    sim.back();
    expect([sim.phase, sim.ctx.turn, sim.ctx.focusId]).toEqual(['nextSteps', 2, challenges[2]]);
  });

  it('next skips the rest of a running or paused phase', () => {
    const { sim } = focusPresenting();
    sim.tick(30 * SEC).next();
    expect(sim.phase).toBe('clarify');
    expectFreshClock(sim, FOCUS_DURATIONS.clarify);
    sim.tick(10 * SEC).pause().tick(MIN);
    sim.next();
    expect(sim.phase).toBe('reflect');
    expectFreshClock(sim, FOCUS_DURATIONS.reflect);
  });

  it('the facilitator may pick another challenge while waiting for confirmation', () => {
    const { sim, ada, ben, adaC, benC } = focusLobby();
    sim.start();
    sim.send('challenge:pick', { challengeId: adaC }, FACILITATOR);
    sim.send('challenge:pick', { challengeId: benC }, FACILITATOR);
    expect(sim.phase).toBe('confirm');
    sim.refuse('challenge:confirm', {}, as(ada)); // no longer the owner
    sim.send('challenge:confirm', {}, as(ben));
    expect(sim.phase).toBe('present');
    sim.refuse('challenge:pick', { challengeId: 'nope' }, FACILITATOR);
  });
});

describe('who may do what', () => {
  it('only the owner of the challenge in focus confirms, marks useful and writes next steps', () => {
    const { sim, ada, ben } = focusPresenting();
    sim.send('contribution:add', { kind: 'question', text: 'q', anonymous: false }, as(ben), { id: 'k-1' });
    for (let i = 0; i < 3; i++) sim.next(); // → respond
    expect(sim.phase).toBe('respond');
    for (const caller of [as(ben), FACILITATOR, BOARD, as('p-stranger')]) {
      sim.refuse('contribution:markUseful', { contributionId: 'k-1', useful: true }, caller);
      sim.refuse('nextStep:add', { text: 'x' }, caller);
    }
    sim.send('contribution:markUseful', { contributionId: 'k-1', useful: true }, as(ada));
    sim.refuse('contribution:markUseful', { contributionId: 'missing', useful: true }, as(ada));
    sim.send('nextStep:add', { text: 'first' }, as(ada), { id: 's-1' });
    sim.refuse('nextStep:remove', { nextStepId: 's-1' }, as(ben));
    sim.refuse('nextStep:remove', { nextStepId: 's-404' }, as(ada));
    sim.send('nextStep:remove', { nextStepId: 's-1' }, as(ada));
    expect(sim.ctx.nextSteps).toEqual([]);
  });

  it('next steps are not taken before respond or after nextSteps', () => {
    const { sim, ada } = focusPresenting();
    sim.refuse('nextStep:add', { text: 'too early' }, as(ada));
    for (let i = 0; i < 4; i++) sim.next(); // → nextSteps
    sim.send('nextStep:add', { text: 'on time' }, as(ada));
    sim.next(); // → evaluate
    sim.refuse('nextStep:add', { text: 'too late' }, as(ada));
  });

  it('the owner cannot contribute to their own challenge; strangers, the facilitator and the board cannot either', () => {
    const { sim, ada, cy } = focusPresenting();
    for (const caller of [as(ada), as('p-stranger'), FACILITATOR, BOARD]) {
      sim.refuse('contribution:add', { kind: 'reflection', text: 'x', anonymous: false }, caller);
    }
    sim.send('contribution:add', { kind: 'reflection', text: 'x', anonymous: false }, as(cy));
  });

  it('no contributions before a challenge is in focus', () => {
    const { sim, ben } = focusLobby();
    sim.refuse('contribution:add', { kind: 'question', text: 'x', anonymous: false }, as(ben));
    sim.start();
    sim.refuse('contribution:add', { kind: 'question', text: 'x', anonymous: false }, as(ben));
  });

  it('anonymous contributions are refused when the session does not allow them', () => {
    const { sim, cy } = focusPresenting({ allowAnonymous: false });
    sim.refuse('contribution:add', { kind: 'reflection', text: 'secret', anonymous: true }, as(cy));
    sim.send('contribution:add', { kind: 'reflection', text: 'open', anonymous: false }, as(cy));
    const allowed = focusPresenting({ allowAnonymous: true });
    allowed.sim.send('contribution:add', { kind: 'reflection', text: 'secret', anonymous: true }, as(allowed.cy));
    expect(allowed.sim.ctx.contributions[0]?.anonymous).toBe(true);
  });

  it('each participant has as many dots as the session gives, and can take them back', () => {
    const { sim, adaC, benC, cy } = focusLobby({ dots: 2 });
    sim.refuse('vote:cast', { challengeId: adaC }, as(cy)); // lobby: no voting yet
    sim.start();
    sim.send('vote:cast', { challengeId: adaC }, as(cy));
    sim.send('vote:cast', { challengeId: adaC }, as(cy));
    sim.refuse('vote:cast', { challengeId: benC }, as(cy));
    sim.refuse('vote:cast', { challengeId: 'nope' }, as('p-ada'));
    sim.refuse('vote:cast', { challengeId: adaC }, as('p-stranger'));
    sim.refuse('vote:retract', { challengeId: benC }, as(cy)); // no dot there
    sim.send('vote:retract', { challengeId: adaC }, as(cy));
    expect(sim.ctx.votes).toEqual([{ participantId: cy, challengeId: adaC }]);
    sim.send('vote:cast', { challengeId: benC }, as(cy));
    sim.refuse('vote:cast', { challengeId: benC }, as(cy));
  });

  it('one challenge per participant: a second submit edits it, strangers cannot submit', () => {
    const { sim, ada, adaC } = focusLobby();
    sim.send('challenge:submit', { title: 'Edited', context: '', question: 'Now what?' }, as(ada), { id: 'c-other' });
    expect(sim.ctx.challenges).toHaveLength(2);
    expect(sim.ctx.challenges[0]).toMatchObject({ id: adaC, ownerId: ada, title: 'Edited', question: 'Now what?' });
    sim.refuse('challenge:submit', { title: 't', context: '', question: 'q' }, as('p-stranger'));
    sim.refuse('challenge:submit', { title: 't', context: '', question: 'q' }, FACILITATOR);
  });

  it('reveal only when the session holds reflections back, once per challenge', () => {
    const held = focusPresenting({ hideUntilReveal: true });
    held.sim.send('round:reveal', {}, FACILITATOR);
    expect(held.sim.ctx.revealed).toEqual([held.adaC]);
    held.sim.refuse('round:reveal', {}, FACILITATOR);
    const open = focusPresenting({ hideUntilReveal: false });
    open.sim.refuse('round:reveal', {}, FACILITATOR);
    const lobby = focusLobby({ hideUntilReveal: true });
    lobby.sim.refuse('round:reveal', {}, FACILITATOR); // nothing in focus
  });

  it('notes need a known participant and challenge; an empty note deletes it', () => {
    const { sim, cy, adaC } = focusPresenting();
    sim.send('note:set', { challengeId: adaC, text: 'first' }, as(cy));
    sim.send('note:set', { challengeId: adaC, text: 'second' }, as(cy));
    expect(sim.ctx.notes).toEqual([{ participantId: cy, challengeId: adaC, text: 'second' }]);
    sim.refuse('note:set', { challengeId: 'nope', text: 'x' }, as(cy));
    sim.refuse('note:set', { challengeId: adaC, text: 'x' }, as('p-stranger'));
    sim.send('note:set', { challengeId: adaC, text: '' }, as(cy));
    expect(sim.ctx.notes).toEqual([]);
  });

  it('evaluations: one per participant (resubmitting replaces), only in evaluate and ended', () => {
    const { sim, ben } = focusPresenting();
    sim.refuse('evaluation:submit', { usefulness: 5, process: 5, comment: '' }, as(ben));
    for (let i = 0; i < 5; i++) sim.next();
    expect(sim.phase).toBe('evaluate');
    sim.send('evaluation:submit', { usefulness: 2, process: 3, comment: 'meh' }, as(ben));
    sim.send('evaluation:submit', { usefulness: 4, process: 5, comment: 'better' }, as(ben));
    expect(sim.ctx.evaluations).toEqual([{ participantId: ben, usefulness: 4, process: 5, comment: 'better' }]);
    sim.refuse('evaluation:submit', { usefulness: 4, process: 5, comment: '' }, as('p-stranger'));
    sim.refuse('evaluation:submit', { usefulness: 4, process: 5, comment: '' }, FACILITATOR);
  });
});

describe('purity', () => {
  it('refused events leave the state identical, and applyEvent never mutates its input', () => {
    const { sim, ada, ben } = focusPresenting();
    const before = clone(sim.state);
    const frozen = sim.state;
    // A spread of refusals in one state.
    sim.refuse('challenge:confirm', {}, as(ada));
    sim.refuse('round:resume', {}, FACILITATOR);
    sim.refuse('vote:cast', { challengeId: 'c-p-ada' }, as(ben));
    sim.refuse('nextStep:add', { text: 'x' }, as(ada));
    sim.refuse('evaluation:submit', { usefulness: 1, process: 1, comment: '' }, as(ben));
    sim.refuse('round:timeout', {}, SYSTEM, { at: sim.now + 1 });
    // Accepted events return a new state and leave the old one as it was.
    sim.tick(MIN).send('contribution:add', { kind: 'question', text: 'q', anonymous: false }, as(ben));
    sim.pause();
    sim.next();
    expect(sim.state).not.toBe(frozen);
    expect(frozen).toEqual(before);
  });
});
