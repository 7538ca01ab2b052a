import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyOf, openRound, settled, TestClient, type Round } from '../support/clients.js';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer;
let round: Round;

beforeAll(async () => {
  server = await startServer();
  round = await openRound(server.url, { title: 'Catch-up', format: 'focus' }, ['Ada', 'Bo']);
  const [ada, bo] = round.participants as [TestClient, TestClient];
  await ada.do('challenge:submit', { title: 'A', question: 'Q' });
  await round.facilitator.do('round:start', {});
  await round.facilitator.do('challenge:pick', {});
  await ada.do('challenge:confirm', {});
  await bo.do('contribution:add', { kind: 'question', text: 'first question' });
  await settled(round);
});
afterAll(async () => {
  round?.close();
  await server?.close();
});

describe('numbered versions and catching up', () => {
  it('sends a change as a patch holding only what changed', async () => {
    const [, bo] = round.participants as [TestClient, TestClient];
    const before = round.board.wire.length;
    await bo.do('contribution:add', { kind: 'question', text: 'second question' });
    await settled(round);
    const sent = round.board.wire.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^session:patch /);
    expect(sent[0]).toContain('second question');
    expect(sent[0]).not.toContain('first question');
    expect(round.board.view.contributions.map((c) => c.text)).toEqual(['first question', 'second question']);
  });

  it('a client that reconnects with its last version gets only what it missed', async () => {
    const [, bo] = round.participants as [TestClient, TestClient];
    const lastSeq = round.board.seq;
    round.board.close();
    await bo.do('contribution:add', { kind: 'suggestion', text: 'missed while away' });
    await bo.do('contribution:add', { kind: 'suggestion', text: 'also missed' });
    const board = new TestClient(server.url, { role: 'board', code: round.code, key: keyOf(round.links.board), lastSeq }, 'board again');
    // The first thing it hears is a patch from where it was; it applies that to the view it kept.
    board.messages.push(round.board.messages.at(-1)!);
    await board.connected();
    await board.until((v) => v.contributions.length === 4);
    expect(board.wire[0]).toMatch(/^session:patch /);
    expect(board.wire[0]).not.toContain('first question');
    expect(board.view).toEqual({ ...round.facilitator.view, me: board.view.me, evaluation: board.view.evaluation });
    board.close();
  });

  it('a client whose version is unknown gets the whole view', async () => {
    const board = new TestClient(server.url, { role: 'board', code: round.code, key: keyOf(round.links.board), lastSeq: 999_999 }, 'stranger');
    await board.connected();
    expect(board.wire[0]).toMatch(/^session:view /);
    expect(board.view.contributions).toHaveLength(4);
    board.close();
  });
});
