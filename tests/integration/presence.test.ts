import { afterAll, describe, expect, it } from 'vitest';
import type { RoleView } from '@kollegium/shared';
import { openRound, TestClient, type Round } from '../support/clients.js';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer | undefined;
let round: Round | undefined;
let back: TestClient[] = [];
afterAll(async () => {
  round?.close();
  for (const client of back) client.close();
  await server?.close();
});

const online = (view: RoleView) => view.participants.filter((p) => p.online).length;

describe('presence when a whole room drops and comes back', () => {
  it('every screen ends with the true list, from a few patches instead of one per person', async () => {
    server = await startServer();
    const names = Array.from({ length: 16 }, (_, i) => `P${i + 1}`);
    round = await openRound(server.url, { title: 'Presence' }, names);
    const { board, facilitator } = round;
    await board.until((v) => online(v) === names.length);

    // The venue's Wi-Fi drops: everyone's phone goes at once.
    let before = board.messages.length;
    for (const participant of round.participants) participant.close();
    await Promise.all([board, facilitator].map((c) => c.until((v) => online(v) === 0)));
    expect(board.messages.length - before).toBeLessThan(names.length / 2);

    // …and comes back at once; the last change always goes out.
    before = board.messages.length;
    back = round.participants.map((p) => new TestClient(server!.url, p.auth, `${p.label} again`));
    await Promise.all(back.map((c) => c.connected()));
    await Promise.all([board, facilitator, ...back].map((c) => c.until((v) => online(v) === names.length)));
    expect(board.messages.length - before).toBeLessThan(names.length / 2);
    expect(board.view.participants.map((p) => p.name)).toEqual(names);
  });

  it('a lone arrival or departure in a quiet room is shown at once', async () => {
    const [first] = back as [TestClient];
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const started = Date.now();
    first.close();
    await round!.board.until((v) => online(v) === 15);
    // Well inside the window that holds further changes (1 s): not held back itself.
    expect(Date.now() - started).toBeLessThan(800);
  });
});
