import { afterEach, describe, expect, it } from 'vitest';
import type { RoleView } from '@kollegium/shared';
import { openRound, settled, type Round } from '../support/clients.js';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer | undefined;
let round: Round | undefined;

afterEach(async () => {
  round?.close();
  await server?.close();
});

const expectSame = (views: RoleView[], phase: RoleView['phase']) => {
  for (const view of views) {
    expect(view.phase).toBe(phase);
    expect(view.turn).toEqual(views[0]!.turn);
    expect(view.timer).toEqual(views[0]!.timer);
    expect(view.ownerId).toBe(views[0]!.ownerId);
  }
};

describe('a whole everyone-presents round', () => {
  it('gives every challenge a turn in the set order and ends by itself at time-out', async () => {
    server = await startServer();
    // Evaluate lasts 1.2 s with auto-advance, so the server's own timer ends the round.
    round = await openRound(
      server.url,
      { title: 'School leaders', format: 'everyone', autoAdvance: true, totalMinutes: 30, minutes: { evaluate: 0.02 } },
      ['Ada', 'Bo', 'Cai', 'Dag'],
    );
    const r = round;
    const [ada, bo, cai, dag] = r.participants as [Round['facilitator'], Round['facilitator'], Round['facilitator'], Round['facilitator']];
    await ada.do('challenge:submit', { title: 'A', question: 'Qa' });
    await bo.do('challenge:submit', { title: 'B', question: 'Qb' });
    await cai.do('challenge:submit', { title: 'C', question: 'Qc' });
    const ids = Object.fromEntries((await dag.until((v) => v.challenges.length === 3)).challenges.map((c) => [c.title, c.id]));

    // The facilitator sets the order: Cai, Ada, Bo.
    await r.facilitator.do('round:start', { order: [ids.C!, ids.A!, ids.B!] });
    let views = await settled(r);
    expectSame(views, 'present');
    expect(views[0]!.order).toEqual([ids.C, ids.A, ids.B]);

    // 30 minutes split over three turns: each turn's phases add up to ten minutes.
    const d = views[0]!.settings.durations;
    expect(d.present + d.reflect + d.nextSteps).toBe(10 * 60_000);

    const presenters = [cai, ada, bo];
    for (const [turn, owner] of presenters.entries()) {
      views = await settled(r);
      expectSame(views, 'present');
      expect(views[0]!.turn).toEqual({ index: turn, total: 3 });
      expect(owner.view.me.isOwner).toBe(true);
      expect(dag.view.me.isOwner).toBe(false);

      await r.facilitator.do('round:next', {});
      expectSame(await settled(r), 'reflect');
      const helper = presenters[(turn + 1) % 3]!;
      await helper.do('contribution:add', { kind: 'suggestion', text: `idea for turn ${turn}` });
      await dag.do('contribution:add', { kind: 'reflection', text: `dag on turn ${turn}`, anonymous: true });
      expect(await owner.send('contribution:add', { kind: 'reflection', text: 'self' })).toMatchObject({ code: 'NOT_ALLOWED_NOW' });

      await r.facilitator.do('round:next', {});
      expectSame(await settled(r), 'nextSteps');
      await owner.do('nextStep:add', { text: `step ${turn}` });
      await r.facilitator.do('round:next', {});
    }

    views = await settled(r);
    expectSame(views, 'evaluate');
    expect(views[0]!.contributions).toHaveLength(6);
    expect(views[0]!.nextSteps.map((s) => [s.challengeId, s.text])).toEqual([
      [ids.C, 'step 0'],
      [ids.A, 'step 1'],
      [ids.B, 'step 2'],
    ]);
    // Nobody but Dag learns who wrote Dag's anonymous reflections.
    for (const client of r.all.filter((c) => c !== dag)) {
      expect(client.view.contributions.filter((c) => c.anonymous).every((c) => c.authorId === null)).toBe(true);
    }

    // No one presses Next: the evaluate phase times out on the server and the round ends.
    await Promise.all(r.all.map((c) => c.until((v) => v.phase === 'ended', 5000)));
  });

  it('holds reflections back until the facilitator reveals them', async () => {
    server = await startServer();
    round = await openRound(server.url, { title: 'Hidden', format: 'everyone', hideUntilReveal: true }, ['Ada', 'Bo', 'Cai']);
    const r = round;
    const [ada, bo, cai] = r.participants as [Round['facilitator'], Round['facilitator'], Round['facilitator']];
    await ada.do('challenge:submit', { title: 'A', question: 'Q' });
    await r.facilitator.do('round:start', {});
    await r.facilitator.do('round:next', {});
    const secret = 'a reflection only Bo may see yet';
    await bo.do('contribution:add', { kind: 'reflection', text: secret });
    await cai.do('contribution:add', { kind: 'reflection', text: 'another one' });
    const views = await settled(r);
    expect(bo.view.contributions.map((c) => [c.text, c.held])).toEqual([[secret, true]]);
    for (const client of [r.facilitator, r.board, ada, cai]) {
      expect(client.wire.join('\n')).not.toContain(secret);
      expect(client.view.heldCount).toBe(client === cai ? 1 : 2);
    }
    expect(views.length).toBe(5);

    await r.facilitator.do('round:reveal', {});
    for (const client of r.all) {
      const view = await client.until((v) => v.revealed);
      expect(view.contributions.map((c) => c.text).sort()).toEqual(['a reflection only Bo may see yet', 'another one']);
      expect(view.heldCount).toBe(0);
    }
  });

  it('keeps one clock: pause stores the remaining time, resume and added time move one deadline', async () => {
    server = await startServer();
    round = await openRound(server.url, { title: 'Clock', format: 'focus', minutes: { choose: 2 } }, ['Ada']);
    const r = round;
    await r.facilitator.do('round:start', {});
    let [view] = await settled(r);
    expect(view!.timer).toMatchObject({ status: 'running', durationMs: 120_000 });
    const deadline = (view!.timer as { deadline: number }).deadline;
    await r.facilitator.do('round:pause', {});
    [view] = await settled(r);
    expect(view!.timer.status).toBe('paused');
    const remaining = (view!.timer as { remainingMs: number }).remainingMs;
    expect(remaining).toBeGreaterThan(100_000);
    expect(remaining).toBeLessThanOrEqual(120_000);
    expect(await r.facilitator.send('round:pause', {})).toMatchObject({ code: 'NOT_ALLOWED_NOW' });
    await r.facilitator.do('round:addTime', { ms: 60_000 });
    await r.facilitator.do('round:resume', {});
    const views = await settled(r);
    for (const v of views) {
      expect(v.timer.status).toBe('running');
      const newDeadline = (v.timer as { deadline: number }).deadline;
      expect(newDeadline).toBeGreaterThanOrEqual(deadline + 60_000 - 100);
    }
  });
});
