import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViewPatch } from '@kollegium/shared';
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
    const [ada, bo] = round.participants as [TestClient, TestClient];
    const before = new Map(round.all.map((c) => [c, c.wire.length]));
    await bo.do('contribution:add', { kind: 'question', text: 'second question' });
    await settled(round);
    const sent = (c: TestClient) => c.wire.slice(before.get(c));
    for (const client of round.all) {
      expect(sent(client), client.label).toHaveLength(1);
      const [event, patch] = sent(client)[0]!.split(/ (.*)/s) as [string, string];
      expect(event).toBe('session:patch');
      const [{ view, contributions }] = JSON.parse(patch) as [ViewPatch];
      // The new contribution, and none of the rest of the view (people, phase, clock…): unchanged.
      expect(contributions.upsert.map((c) => c.text), client.label).toEqual(['second question']);
      expect(view, client.label).toEqual({});
    }
    // Everyone but the author sees it alike, byte for byte; the author sees it as their own.
    expect(new Set([round.facilitator, round.board, ada].map(sent).flat()).size).toBe(1);
    expect(sent(bo)).not.toEqual(sent(ada));
    expect(sent(bo)[0]).toContain('"mine":true');
    expect(round.board.view.contributions.map((c) => c.text)).toEqual(['first question', 'second question']);
  });

  it('a change of presence sends the list of people and nothing else', async () => {
    const ada = round.participants[0]!;
    const before = round.board.wire.length;
    ada.close();
    await round.board.until((v) => v.participants.some((p) => p.id === ada.view.me.participantId && !p.online));
    const [event, patch] = round.board.wire[before]!.split(/ (.*)/s) as [string, string];
    expect(event).toBe('session:patch');
    expect(Object.keys((JSON.parse(patch) as [ViewPatch])[0].view)).toEqual(['participants']);
    const back = new TestClient(server.url, ada.auth, 'Ada again');
    await back.connected();
    round.participants[0] = back;
    round.all[2] = back;
    await round.board.until((v) => v.participants.every((p) => p.online));
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
