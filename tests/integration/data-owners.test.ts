import { afterEach, describe, expect, it } from 'vitest';
import type { CreateSessionResponse } from '@kollegium/shared';
import { createApplication, createLogger, MemoryStore } from '@kollegium/server';
import { keyOf, openRound, type Round, type TestClient } from '../support/clients.js';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer | undefined;
let round: Round | undefined;
afterEach(async () => {
  round?.close();
  await server?.close();
  round = server = undefined;
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('the facilitator owns the session', () => {
  it('gets the links again with the facilitator key, and only with it', async () => {
    server = await startServer();
    round = await openRound(server.url, { title: 'Links' }, ['Ada']);
    const key = keyOf(round.links.facilitator);
    const again = await fetch(`${server.url}/api/sessions/${round.code}/links`, { headers: bearer(key) });
    expect(await again.json()).toEqual({ code: round.code, links: round.links });
    const refused = await fetch(`${server.url}/api/sessions/${round.code}/links`, { headers: bearer(keyOf(round.links.board)) });
    expect(refused.status).toBe(401);
  });

  it('deletes the session with all its data; everyone connected is told and disconnected', async () => {
    server = await startServer();
    round = await openRound(server.url, { title: 'Delete me' }, ['Ada', 'Bo']);
    const [ada] = round.participants as [TestClient];
    await ada.do('challenge:submit', { title: 'Private matter', question: 'Q' });
    const closed = Promise.all(round.all.map((c) => new Promise((resolve) => c.socket.on('session:closed', resolve))));
    const wrongKey = await fetch(`${server.url}/api/sessions/${round.code}`, { method: 'DELETE', headers: bearer(keyOf(round.links.board)) });
    expect(wrongKey.status).toBe(401);
    const res = await fetch(`${server.url}/api/sessions/${round.code}`, { method: 'DELETE', headers: bearer(keyOf(round.links.facilitator)) });
    expect(res.status).toBe(204);
    expect(await closed).toHaveLength(4);
    expect((await fetch(`${server.url}/api/sessions/${round.code}`)).status).toBe(404);
  });
});

describe('retention', () => {
  it('deletes sessions without activity for longer than the retention period', async () => {
    const store = new MemoryStore();
    let now = Date.UTC(2026, 0, 1);
    const app = createApplication({ store, logger: createLogger('silent'), now: () => now });
    await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(app.httpServer.address() as { port: number }).port}`;
    const create = async (title: string) =>
      ((await (await fetch(`${url}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title }) })).json()) as CreateSessionResponse).code;
    try {
      const old = await create('old');
      now += 20 * 86_400_000;
      const recent = await create('recent');
      now += 15 * 86_400_000;
      // 30 days' retention: the first session (35 days idle) goes, the second (15 days) stays.
      expect(await app.sessions.expire(now - 30 * 86_400_000)).toEqual([old]);
      expect(await store.load(old)).toBeNull();
      expect(await store.load(recent)).not.toBeNull();
    } finally {
      await app.close();
    }
  });
});
