import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoleView } from '@kollegium/shared';
import { openRound, settled, type Round } from '../support/clients.js';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer;
let round: Round;

beforeAll(async () => {
  server = await startServer();
  round = await openRound(server.url, { title: 'Leaders north', format: 'focus', dots: 2 }, ['Ada', 'Bo', 'Cai', 'Dag']);
});
afterAll(async () => {
  round?.close();
  await server?.close();
});

const samePhaseEverywhere = async (phase: RoleView['phase']) => {
  const views = await settled(round);
  for (const view of views) {
    expect(view.phase).toBe(phase);
    expect(view.timer).toEqual(views[0]!.timer);
    expect(view.focusId).toBe(views[0]!.focusId);
  }
  return views;
};

describe('a whole focus round with a facilitator, a board and four participants', () => {
  it('runs from challenges to evaluation with roles enforced and views kept apart', async () => {
    const { facilitator, board, participants } = round;
    const [ada, bo, cai, dag] = participants as [typeof facilitator, typeof facilitator, typeof facilitator, typeof facilitator];
    const adaId = ada.view.me.participantId!;
    const caiId = cai.view.me.participantId!;

    // Lobby: challenges come in; a participant cannot steer, the board cannot act.
    await ada.do('challenge:submit', { title: 'Sick leave in my team', context: 'Ten people', question: 'How do I open the talk?' });
    await bo.do('challenge:submit', { title: 'New budget model', question: 'How to involve the staff?' });
    expect(await bo.send('round:next', {})).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await board.send('round:start', {})).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    await facilitator.do('round:start', {});
    await samePhaseEverywhere('choose');

    // Dot vote: two dots each; a third dot is refused.
    const adaChallenge = ada.view.challenges.find((c) => c.ownerId === adaId)!.id;
    const boChallenge = bo.view.challenges.find((c) => c.ownerId !== adaId)!.id;
    await bo.do('vote:cast', { challengeId: adaChallenge });
    await cai.do('vote:cast', { challengeId: adaChallenge });
    await cai.do('vote:cast', { challengeId: boChallenge });
    await dag.do('vote:cast', { challengeId: adaChallenge });
    await dag.do('vote:cast', { challengeId: adaChallenge });
    expect(await dag.send('vote:cast', { challengeId: boChallenge })).toMatchObject({ ok: false, code: 'NOT_ALLOWED_NOW' });
    const chosen = await facilitator.until((v) => v.challenges.find((c) => c.id === adaChallenge)?.votes === 4);
    expect(chosen.challenges.find((c) => c.id === boChallenge)?.votes).toBe(1);

    // The top-voted challenge is picked; only its owner can confirm.
    await facilitator.do('round:next', {});
    await samePhaseEverywhere('confirm');
    expect(ada.view.me.isOwner).toBe(true);
    expect(await bo.send('challenge:confirm', {})).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    await ada.do('challenge:confirm', {});
    const present = await samePhaseEverywhere('present');
    expect(present[0]!.focusId).toBe(adaChallenge);
    expect(present[0]!.timer.status).toBe('running');

    // Present and clarify: questions from others; the owner cannot post on their own challenge.
    await bo.do('contribution:add', { kind: 'question', text: 'How long has it gone on?' });
    expect(await ada.send('contribution:add', { kind: 'reflection', text: 'me' })).toMatchObject({ ok: false, code: 'NOT_ALLOWED_NOW' });
    await facilitator.do('round:next', {});
    await samePhaseEverywhere('clarify');
    await facilitator.do('round:next', {});
    await samePhaseEverywhere('reflect');

    // Reflect: an anonymous reflection and a named suggestion.
    await cai.do('contribution:add', { kind: 'reflection', text: 'I felt the same last spring', anonymous: true });
    await dag.do('contribution:add', { kind: 'suggestion', text: 'Try a walk-and-talk' });
    await Promise.all(round.all.map((c) => c.until((v) => v.contributions.length === 3)));
    const anonymousId = cai.view.contributions.find((c) => c.anonymous)!.id;
    for (const client of round.all) {
      const mine = client === cai;
      for (const { view } of client.messages) {
        const anonymous = view.contributions.find((c) => c.id === anonymousId);
        if (!anonymous) continue;
        expect(anonymous.authorId).toBe(mine ? caiId : null);
        expect(anonymous.authorName).toBe(mine ? 'Cai' : null);
      }
    }

    // Only the owner marks what helped.
    const suggestion = ada.view.contributions.find((c) => c.kind === 'suggestion')!;
    expect(await bo.send('contribution:markUseful', { contributionId: suggestion.id, useful: true })).toMatchObject({ code: 'FORBIDDEN' });
    await ada.do('contribution:markUseful', { contributionId: suggestion.id, useful: true });
    await board.until((v) => v.contributions.some((c) => c.id === suggestion.id && c.useful));

    // Skip ahead and back: every screen follows.
    await facilitator.do('round:next', {});
    await samePhaseEverywhere('respond');
    await facilitator.do('round:back', {});
    await samePhaseEverywhere('reflect');
    await facilitator.do('round:next', {});
    await facilitator.do('round:next', {});
    await samePhaseEverywhere('nextSteps');

    // Next steps by the owner; a private note reaches nobody else's wire.
    await ada.do('nextStep:add', { text: 'Book a talk with HR on Monday' });
    expect(await bo.send('nextStep:add', { text: 'not mine' })).toMatchObject({ code: 'FORBIDDEN' });
    const secretNote = 'Private: try this with my own deputy';
    await bo.do('note:set', { challengeId: adaChallenge, text: secretNote });
    await settled(round);
    expect(bo.view.notes).toEqual([{ participantId: bo.view.me.participantId, challengeId: adaChallenge, text: secretNote }]);
    for (const client of round.all.filter((c) => c !== bo)) {
      expect(client.wire.join('\n')).not.toContain(secretNote);
      expect(client.view.nextSteps.map((s) => s.text)).toEqual(['Book a talk with HR on Monday']);
    }

    // Evaluate and end.
    await facilitator.do('round:next', {});
    await samePhaseEverywhere('evaluate');
    for (const [i, p] of participants.entries()) await p.do('evaluation:submit', { usefulness: 5 - (i % 2), process: 4 });
    const evaluated = await board.until((v) => v.evaluation.count === 4);
    expect(evaluated.evaluation).toMatchObject({ usefulness: 4.5, process: 4, mine: null, comments: [] });
    await facilitator.do('round:next', {});
    const ended = await samePhaseEverywhere('ended');
    expect(ended.every((v) => v.timer.status === 'none')).toBe(true);
  });

  it('applies a resent command id once and answers it the same way', async () => {
    const { facilitator, participants } = round;
    await facilitator.until((v) => v.phase === 'ended');
    const dag = participants[3]!;
    const first = await dag.send('evaluation:submit', { cid: 'resend-0001', usefulness: 2, process: 2 });
    const again = await dag.send('evaluation:submit', { cid: 'resend-0001', usefulness: 2, process: 2 });
    expect(first).toMatchObject({ ok: true });
    expect(again).toEqual(first);
    await settled(round);
    expect(facilitator.seq).toBe((first as { seq: number }).seq);
  });

  it('answers bad input with a typed error and changes nothing', async () => {
    const { facilitator, participants } = round;
    const bo = participants[1]!;
    const before = facilitator.seq;
    const emit = bo.raw.bind(bo);
    expect(await emit('contribution:add', { cid: 'x'.repeat(10), kind: 'rant', text: 'hi' })).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(await emit('contribution:add', 'not an object')).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(await emit('round:next', { cid: 'short' })).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(await emit('admin:wipe', {})).toMatchObject({ ok: false, code: 'UNKNOWN_EVENT' });
    expect(await emit('vote:cast', { cid: 'valid-cid-1', challengeId: 'x', extra: true })).toMatchObject({ code: 'BAD_REQUEST' });
    // The server still answers and nothing moved.
    expect(await emit('time:sync')).toMatchObject({ ok: true });
    expect(facilitator.seq).toBe(before);
  });
});
