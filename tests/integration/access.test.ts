import { afterEach, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import type { CreateSessionResponse, HttpError } from '@kollegium/shared';
import { joinParticipant, keyOf, openRound, postJson, TestClient, type Round } from '../support/clients.js';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer | undefined;
let round: Round | undefined;
afterEach(async () => {
  round?.close();
  await server?.close();
  round = server = undefined;
});

/** Resolves with the handshake error's data, or 'connected'. */
function handshake(url: string, auth: object, extraHeaders: Record<string, string> = {}, transports = ['websocket']) {
  const socket = io(url, { auth, transports, reconnection: false, forceNew: true, extraHeaders });
  return new Promise<unknown>((resolve) => {
    socket.on('connect', () => {
      socket.disconnect();
      resolve('connected');
    });
    socket.on('connect_error', (err) => {
      socket.disconnect();
      resolve((err as Error & { data?: unknown }).data ?? err.message);
    });
  });
}

describe('who may connect', () => {
  it('refuses wrong keys, unknown tokens and unknown codes with a typed error', async () => {
    server = await startServer();
    const { body } = await postJson<CreateSessionResponse>(`${server.url}/api/sessions`, { title: 'Access' });
    const key = keyOf(body.links.facilitator);
    // Facilitator and board secrets carry at least 128 bits.
    expect(Buffer.from(key, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(Buffer.from(keyOf(body.links.board), 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(await handshake(server.url, { role: 'facilitator', code: body.code, key })).toBe('connected');
    expect(await handshake(server.url, { role: 'facilitator', code: body.code, key: keyOf(body.links.board) })).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await handshake(server.url, { role: 'participant', code: body.code, token: 'x'.repeat(32) })).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await handshake(server.url, { role: 'board', code: '222222', key: 'k'.repeat(32) })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await handshake(server.url, { role: 'admin', code: body.code })).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('removing a participant closes their connection and their token stops working', async () => {
    server = await startServer();
    round = await openRound(server.url, { title: 'Removal' }, ['Ada', 'Bo']);
    const [ada, bo] = round.participants as [TestClient, TestClient];
    const token = (bo.auth as { token: string }).token;
    const closed = new Promise((resolve) => bo.socket.on('session:closed', resolve));
    await round.facilitator.do('participant:remove', { participantId: bo.view.me.participantId! });
    expect(await closed).toMatchObject({ code: 'UNAUTHORIZED' });
    await ada.until((v) => v.participants.map((p) => p.name).join() === 'Ada');
    expect(await handshake(server.url, { role: 'participant', code: round.code, token })).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('a locked session takes no new participants until it is opened again', async () => {
    server = await startServer();
    round = await openRound(server.url, { title: 'Locked' }, ['Ada']);
    await round.facilitator.do('session:lock', { locked: true });
    const refused = await postJson<HttpError>(`${server.url}/api/sessions/${round.code}/participants`, { name: 'Late' });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'SESSION_LOCKED' } } });
    await round.facilitator.do('session:lock', { locked: false });
    const late = await joinParticipant(server.url, round.code, 'Late');
    expect(late.view.participants.map((p) => p.name)).toEqual(['Ada', 'Late']);
    late.close();
  });
});

describe('cross-site requests', () => {
  it('refuses a WebSocket or polling handshake and API calls from a foreign origin', async () => {
    server = await startServer({ security: { publicOrigin: 'http://kollegium.test' } });
    const { body } = await postJson<CreateSessionResponse>(`${server.url}/api/sessions`, { title: 'Origin' });
    const auth = { role: 'facilitator', code: body.code, key: keyOf(body.links.facilitator) };
    expect(await handshake(server.url, auth, { origin: 'http://evil.test' })).not.toBe('connected');
    expect(await handshake(server.url, auth, { origin: 'http://evil.test' }, ['polling'])).not.toBe('connected');
    expect(await handshake(server.url, auth, { origin: 'http://kollegium.test' })).toBe('connected');
    const res = await fetch(`${server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.test' },
      body: JSON.stringify({ title: 'csrf' }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('sends a strict Content-Security-Policy and other security headers', async () => {
    server = await startServer();
    const res = await fetch(`${server.url}/healthz`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('floods', () => {
  it('limits join-code attempts per address', async () => {
    server = await startServer({ security: { joinPerMinute: 5 } });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await fetch(`${server.url}/api/sessions/ABCDEF`)).status);
    expect(statuses.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  it('limits commands per connection without changing anything for the refused ones', async () => {
    server = await startServer({ security: { commandsPer10s: 10 } });
    round = await openRound(server.url, { title: 'Flood' }, ['Ada']);
    const [ada] = round.participants as [TestClient];
    const acks = await Promise.all(Array.from({ length: 15 }, (_, i) => ada.send('note:set', { challengeId: 'none', text: `${i}` })));
    const limited = acks.filter((a) => !a.ok && a.code === 'RATE_LIMITED');
    expect(limited).toHaveLength(5);
    // The facilitator's own connection is not affected.
    expect(await round.facilitator.send('session:lock', { locked: true })).toMatchObject({ ok: true });
  });

  it('refuses oversized bodies and messages', async () => {
    server = await startServer();
    const res = await fetch(`${server.url}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'x'.repeat(40_000) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    round = await openRound(server.url, { title: 'Big' }, ['Ada']);
    const [ada] = round.participants as [TestClient];
    const gone = new Promise((resolve) => ada.socket.on('disconnect', resolve));
    void ada.raw('contribution:add', { cid: 'big-message-1', kind: 'question', text: 'x'.repeat(100_000) }).catch(() => {});
    // Socket.IO closes a connection that sends more than maxHttpBufferSize.
    expect(await gone).toBeTruthy();
    const again = await joinParticipant(server.url, round.code, 'Still works');
    expect(again.view.participants).toHaveLength(2);
    again.close();
  });
});
