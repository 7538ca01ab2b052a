import { describe, expect, it } from 'vitest';
import { roleAllows } from '../src/index.js';
import { BOARD, FACILITATOR, MIN, SYSTEM, Sim, as, roundInput } from './helpers.js';

/** A focus round in reflect with Ada's challenge in focus and Ben reflecting. */
function inReflect(overrides: Parameters<typeof roundInput>[1] = {}) {
  const sim = new Sim(roundInput('focus', overrides));
  const ada = sim.join('Ada');
  const ben = sim.join('Ben');
  const challenge = sim.submit(ada, 'Team is tired');
  sim.start();
  sim.send('challenge:pick', { challengeId: challenge }, FACILITATOR);
  sim.send('challenge:confirm', {}, as(ada));
  sim.next().next();
  expect(sim.phase).toBe('reflect');
  return { sim, ada, ben, challenge };
}

describe('the engine checks roles itself, not only the server', () => {
  it('refuses facilitator commands from participants, the board and the system', () => {
    const { sim, ben } = inReflect({ hideUntilReveal: true });
    for (const caller of [as(ben), BOARD, SYSTEM]) {
      sim.refuse('round:next', {}, caller);
      sim.refuse('round:pause', {}, caller);
      sim.refuse('round:reveal', {}, caller);
      sim.refuse('session:lock', { locked: true }, caller);
    }
    expect(roleAllows('round:next', FACILITATOR, sim.ctx)).toBe(true);
  });

  it('accepts system events only from the system', () => {
    const { sim } = inReflect();
    sim.refuse('participant:join', { name: 'Mallory' }, FACILITATOR);
    sim.refuse('round:timeout', {}, FACILITATOR, { at: sim.deadline });
    expect(roleAllows('round:timeout', SYSTEM, sim.ctx)).toBe(true);
  });
});

describe('held reflections', () => {
  it('are revealed when the round leaves reflect forward, so the owner can respond to them', () => {
    const { sim, ben, challenge } = inReflect({ hideUntilReveal: true });
    sim.send('contribution:add', { kind: 'reflection', text: 'held', anonymous: false }, as(ben));
    expect(sim.ctx.revealed).toEqual([]);
    sim.next();
    expect(sim.phase).toBe('respond');
    expect(sim.ctx.revealed).toEqual([challenge]);
  });

  it('are revealed by an auto-advancing time-out too', () => {
    const { sim, challenge } = inReflect({ hideUntilReveal: true, autoAdvance: true });
    sim.tick(10 * MIN);
    const next = sim.timeout();
    expect(next?.phase).toBe('respond');
    expect(next?.context.revealed).toEqual([challenge]);
  });
});

describe('the facilitator keeps the round moving', () => {
  it('can go on without the owner confirming', () => {
    const sim = new Sim(roundInput('focus'));
    const ada = sim.join('Ada');
    sim.submit(ada, 'Tired team');
    sim.start().next();
    expect(sim.phase).toBe('confirm');
    sim.next();
    expect(sim.phase).toBe('present');
  });

  it('refuses adding no time, or taking time from an expired clock', () => {
    const { sim } = inReflect();
    sim.refuse('round:addTime', { ms: 0 }, FACILITATOR);
    sim.tick(10 * MIN);
    sim.state = sim.timeout()!;
    expect(sim.ctx.timer.status).toBe('expired');
    sim.refuse('round:addTime', { ms: -MIN }, FACILITATOR);
  });
});

describe('lock and removal', () => {
  it('a locked session takes no new participants until it is unlocked', () => {
    const sim = new Sim(roundInput('focus'));
    sim.join('Ada');
    sim.send('session:lock', { locked: true }, FACILITATOR);
    sim.refuse('participant:join', { name: 'Late' }, SYSTEM);
    sim.refuse('session:lock', { locked: true }, FACILITATOR);
    sim.send('session:lock', { locked: false }, FACILITATOR);
    sim.join('Late');
    expect(sim.ctx.participants.map((p) => p.name)).toEqual(['Ada', 'Late']);
  });

  it('a removed participant can do nothing more and their dots are taken back', () => {
    const sim = new Sim(roundInput('focus'));
    const ada = sim.join('Ada');
    const ben = sim.join('Ben');
    const challenge = sim.submit(ada, 'Tired team');
    sim.start();
    sim.send('vote:cast', { challengeId: challenge }, as(ben));
    sim.send('participant:remove', { participantId: ben }, FACILITATOR);
    expect(sim.ctx.votes).toEqual([]);
    expect(sim.ctx.participants.find((p) => p.id === ben)?.removed).toBe(true);
    sim.refuse('vote:cast', { challengeId: challenge }, as(ben));
    sim.refuse('note:set', { challengeId: challenge, text: 'x' }, as(ben));
    sim.refuse('participant:remove', { participantId: ben }, FACILITATOR);
  });
});
