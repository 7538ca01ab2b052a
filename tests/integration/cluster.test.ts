import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreateSessionResponse, type JoinResponse, type RoleView, type SocketAuth } from '@kollegium/shared';
import { cid, keyOf, postJson, TestClient } from '../support/clients.js';
import { ensureNginx, startNginx, type LogLine, type Nginx } from '../support/nginx.js';
import { startServerProcess, type ServerProcess } from '../support/process.js';

/*
 * Two server processes on one Postgres and one Redis, with nginx in front configured by the
 * deployment's own template (deploy/nginx/kollegium.conf.template). Every client goes through
 * nginx. All of them come from 127.0.0.1, so routing by address alone would put them all on one
 * process; the template routes by the kollegium_route cookie that it hands browsers with the page
 * (and by address without one). The test probes nginx for cookie values that land on each process
 * and gives them to its clients, so the round truly runs on both: some clients on WebSocket only,
 * one that starts on long-polling and upgrades (what browsers do), and one that stays on polling
 * without a cookie (routed by address). nginx's access log then shows that every request of every
 * Engine.IO connection reached one process.
 */

const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CLARIFY_MS = 3_000;
const REFLECT_MS = 8_000;

async function waitFor(what: string, condition: () => boolean, ms = 5000): Promise<void> {
  for (const deadline = Date.now() + ms; !condition(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
  }
}

async function postgresReachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return null;
  } catch (error) {
    return `Postgres at ${PG_URL}: ${String(error)}`;
  } finally {
    await client.end().catch(() => {});
  }
}

async function redisReachable(): Promise<string | null> {
  const { hostname, port } = new URL(REDIS_URL);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    const done = (problem: string | null) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(2000, () => done(`Redis at ${REDIS_URL}: no answer`));
    socket.on('error', (error) => done(`Redis at ${REDIS_URL}: ${String(error)}`));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(String(data).startsWith('+PONG') ? null : `Redis at ${REDIS_URL}: ${String(data).trim()}`));
  });
}

/** A reconnecting client through nginx, with a choice of transports and a routing cookie. */
type Client = TestClient;
const routeOf = new WeakMap<Client, string>();
const client = (url: string, auth: SocketAuth, label: string, transports: ('polling' | 'websocket')[], route: string | null) => {
  const made = new TestClient(url, auth, label, { reconnect: true, transports, cookie: route ? `kollegium_route=${route}` : undefined });
  if (route) routeOf.set(made, route);
  return made.connected();
};

/** What every role must see alike (presence, `me`, notes and own evaluations differ by design). */
const common = (v: RoleView) => ({
  phase: v.phase,
  timer: v.timer,
  focusId: v.focusId,
  ownerId: v.ownerId,
  participants: v.participants.map((p) => ({ id: p.id, name: p.name })),
  challenges: v.challenges.map((c) => ({ id: c.id, title: c.title, ownerId: c.ownerId, votes: c.votes })),
  contributions: v.contributions.map((c) => ({ id: c.id, kind: c.kind, text: c.text, phase: c.phase, useful: c.useful })),
  nextSteps: v.nextSteps,
  evaluation: { count: v.evaluation.count, usefulness: v.evaluation.usefulness, process: v.evaluation.process },
});

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

let skip: string | null = null;
let nginxBinary: string | null = null;
beforeAll(async () => {
  const problems = (await Promise.all([postgresReachable(), redisReachable()])).filter((p): p is string => p !== null);
  nginxBinary = ensureNginx();
  if (!nginxBinary) problems.push('nginx is not installed (tests/support/ensure-nginx.sh installs it as root)');
  if (problems.length === 0) return;
  if (process.env.CI) throw new Error(`The cluster test needs these in CI: ${problems.join('; ')}`);
  skip = problems.join('; ');
  console.warn(`Skipping the cluster test: ${skip}`);
}, 300_000);

describe('two server processes behind nginx, on one Postgres and one Redis', () => {
  it('run one focus round for clients on both; a killed process loses nothing and its time-out fires once', { timeout: 60_000 }, async (ctx) => {
    if (skip) return ctx.skip(skip);
    const schema = `kollegium_cluster_${process.pid}_${Date.now()}`;
    cleanups.push(async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    });

    // Two processes, then nginx in front of them.
    const env = {
      DATABASE_URL: PG_URL,
      DATABASE_SCHEMA: schema,
      REDIS_URL,
      // nginx on loopback is the one proxy: rate limits see the address it saw.
      TRUST_PROXY: '1',
      COMMAND_RATE_LIMIT: '1000',
    };
    const processes: ServerProcess[] = [];
    cleanups.push(async () => {
      for (const p of processes) await p.kill('SIGKILL');
    });
    for (const started of await Promise.allSettled([startServerProcess(env), startServerProcess(env)])) {
      if (started.status === 'fulfilled') processes.push(started.value);
    }
    expect(processes).toHaveLength(2);
    const address = (p: ServerProcess) => new URL(p.url).host;
    const nginx: Nginx = await startNginx(nginxBinary!, processes.map(address));
    // On failure, what nginx and the servers said (written before the temporary directory goes).
    ctx.onTestFailed(() => {
      const errors = path.join(nginx.dir, 'error.log');
      console.error(`nginx error log:\n${fs.existsSync(errors) ? fs.readFileSync(errors, 'utf8') : ''}`);
      for (const p of processes) console.error(`server ${p.url}:\n${p.output.join('')}`);
    });
    cleanups.push(() => nginx.stop());

    // The routing cookie: handed out with pages, never by Socket.IO, and only when missing.
    const page = await fetch(`${nginx.url}/healthz`);
    expect(page.headers.get('set-cookie')).toMatch(/^kollegium_route=[0-9a-f]{32}; Path=\/; HttpOnly; SameSite=Lax$/);
    expect((await fetch(`${nginx.url}/healthz`, { headers: { cookie: 'kollegium_route=x1' } })).headers.get('set-cookie')).toBeNull();
    const handshake = await fetch(`${nginx.url}/socket.io/?EIO=4&transport=polling`);
    expect(handshake.status).toBe(200);
    expect(handshake.headers.get('set-cookie')).toBeNull();

    // A: the process that cookie-less loopback clients reach, and the one that will be killed.
    const byAddress = await nginx.upstreamFor(null);
    const a = processes.find((p) => address(p) === byAddress)!;
    const b = processes.find((p) => p !== a)!;
    expect(a).toBeDefined();
    const routes: Record<string, string[]> = { [address(a)]: [], [address(b)]: [] };
    for (let i = 0; i < 64 && (routes[address(a)]!.length < 2 || routes[address(b)]!.length < 3); i++) {
      const route = `r${process.pid}x${i}`;
      routes[(await nginx.upstreamFor(route))]!.push(route);
    }
    const [onA1, onA2] = routes[address(a)]!;
    const [onB1, onB2, onB3] = routes[address(b)]!;
    expect([onA1, onA2, onB1, onB2, onB3].every(Boolean)).toBe(true);

    // The session and its people, all through nginx. Clarify and reflect are short and wait for
    // the facilitator at time-out. Without PUBLIC_URL the server compares a browser's Origin with
    // the Host nginx passes on, which must keep the port.
    const create = (origin: string) =>
      fetch(`${nginx.url}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ title: 'Cluster', format: 'focus', dots: 2, minutes: { clarify: CLARIFY_MS / 60_000, reflect: REFLECT_MS / 60_000 } }),
      });
    expect((await create('https://elsewhere.example')).status).toBe(403);
    const created = await create(nginx.url);
    expect(created.status).toBe(201);
    const { code, links } = (await created.json()) as CreateSessionResponse;
    const join = async (name: string) => {
      const { status, body } = await postJson<JoinResponse>(`${nginx.url}/api/sessions/${code}/participants`, { name });
      expect(status).toBe(201);
      return { role: 'participant' as const, code, token: body.token };
    };
    const ws = ['websocket' as const];
    const facilitator = await client(nginx.url, { role: 'facilitator', code, key: keyOf(links.facilitator) }, 'facilitator', ws, onA1!);
    const board = await client(nginx.url, { role: 'board', code, key: keyOf(links.board) }, 'board', ws, onB1!);
    const ada = await client(nginx.url, await join('Ada'), 'Ada', ws, onB2!);
    const bo = await client(nginx.url, await join('Bo'), 'Bo', ws, onA2!);
    // Long-polling only and no cookie: routed by address, to A.
    const cai = await client(nginx.url, await join('Cai'), 'Cai', ['polling'], null);
    // What browsers do: long-polling first, then the upgrade to a WebSocket, by cookie to B.
    const dag = await client(nginx.url, await join('Dag'), 'Dag', ['polling', 'websocket'], onB3!);
    const all = [facilitator, board, ada, bo, cai, dag];
    const participants = [ada, bo, cai, dag];
    cleanups.push(async () => all.forEach((c) => c.close()));
    const onA = [facilitator, bo, cai];
    await Promise.all(all.map((c) => c.until((v) => v.participants.length === 4)));
    await waitFor('Dag upgrades to a WebSocket', () => dag.transport === 'websocket');
    expect(cai.transport).toBe('polling');
    // Who is online is the same on every screen, whichever process each person is on.
    await Promise.all(all.map((c) => c.until((v) => v.participants.every((p) => p.online), 5000)));

    /** Every client at the newest version anyone has seen, all showing the same round. */
    const everyone = async (phase: RoleView['phase']) => {
      const seq = Math.max(...all.flatMap((c) => [c.seq, c.lastAck]));
      const views = await Promise.all(all.map((c) => c.until(() => c.seq >= seq)));
      for (const [i, view] of views.entries()) {
        expect(view.phase, all[i]!.label).toBe(phase);
        expect(common(view), all[i]!.label).toEqual(common(views[0]!));
        expect(all[i]!.seq, all[i]!.label).toBe(seq);
      }
      return views[0]!;
    };

    // Lobby and dot vote, with commands arriving at both processes.
    await ada.do('challenge:submit', { title: 'Sick leave in my team', question: 'How do I open the talk?' });
    await bo.do('challenge:submit', { title: 'New budget model', question: 'How to involve the staff?' });
    await facilitator.do('round:start', {});
    const choose = await everyone('choose');
    const adas = choose.challenges.find((c) => c.title.startsWith('Sick'))!.id;
    const bos = choose.challenges.find((c) => c.title.startsWith('New'))!.id;
    await Promise.all([bo.do('vote:cast', { challengeId: adas }), cai.do('vote:cast', { challengeId: adas }), dag.do('vote:cast', { challengeId: bos })]);
    await Promise.all([cai.do('vote:cast', { challengeId: bos }), dag.do('vote:cast', { challengeId: adas })]);
    expect((await everyone('choose')).challenges.map((c) => c.votes)).toEqual([3, 2]);
    await facilitator.do('round:next', {});
    await everyone('confirm');
    await ada.do('challenge:confirm', {});
    expect((await everyone('present')).focusId).toBe(adas);
    await bo.do('contribution:add', { kind: 'question', text: 'How long has it gone on?' });
    await facilitator.do('round:next', {});
    await everyone('clarify');
    await cai.do('contribution:add', { kind: 'question', text: 'Who else knows?' });

    // Clarify times out while both processes have it armed: exactly one time-out is written.
    const beforeClarifyTimeout = (await everyone('clarify')).timer;
    expect(beforeClarifyTimeout.status).toBe('running');
    const seqBeforeClarifyTimeout = facilitator.seq;
    await Promise.all(all.map((c) => c.until((v) => v.timer.status === 'expired', CLARIFY_MS + 5000)));
    await new Promise((r) => setTimeout(r, 500));
    expect((await everyone('clarify')).timer).toMatchObject({ status: 'expired' });
    expect(facilitator.seq).toBe(seqBeforeClarifyTimeout + 1);

    // Reflect: contributions flow from both processes; A is killed mid-stream.
    await facilitator.do('round:next', {});
    const reflect = await everyone('reflect');
    const deadline = (reflect.timer as { deadline: number }).deadline;
    const acked = new Set<string>();
    const unanswered: { client: Client; cid: string; text: string }[] = [];
    let killed = false;
    const post = async (client: Client) => {
      for (let i = 0; !killed; i++) {
        const text = `${client.label} #${i}`;
        const id = cid();
        const ack = await client.send('contribution:add', { cid: id, kind: 'reflection', text }).catch(() => null);
        if (ack?.ok) acked.add(text);
        else if (ack) throw new Error(`${client.label}: ${ack.code} ${ack.message}`);
        else unanswered.push({ client, cid: id, text });
        await new Promise((r) => setTimeout(r, 40));
      }
    };
    const flows = [bo, cai, dag].map(post);
    await new Promise((r) => setTimeout(r, 1500));
    const killedAt = Date.now();
    expect(await a.kill('SIGKILL')).toBeNull();
    killed = true;
    await Promise.all(flows);
    expect(acked.size).toBeGreaterThan(5);

    // A's clients reconnect through nginx, to B, and catch up.
    const seen = Math.max(...all.map((c) => c.seq));
    await Promise.all(all.map((c) => c.until((v) => c.socket.connected && c.seq >= seen && v.phase === 'reflect', 10_000)));
    for (const client of onA) expect(client.engines.at(-1)!.at, client.label).toBeGreaterThan(killedAt);
    // What had no answer is sent again with the same command id: applied at most once.
    for (const { client, cid: id, text } of unanswered) {
      const ack = await client.send('contribution:add', { cid: id, kind: 'reflection', text });
      expect(ack.ok, JSON.stringify(ack)).toBe(true);
      acked.add(text);
    }
    const afterKill = await everyone('reflect');
    const texts = afterKill.contributions.map((c) => c.text);
    for (const text of acked) expect(texts.filter((t) => t === text), text).toHaveLength(1);
    expect(new Set(texts).size).toBe(texts.length);
    expect(afterKill.timer).toEqual(reflect.timer);

    // Reflect times out on B, the survivor: one more version, and the clock shows expired.
    expect(Date.now(), 'the reflect phase ended before the test could watch its time-out').toBeLessThan(deadline - 200);
    const seqBeforeReflectTimeout = facilitator.seq;
    await Promise.all(all.map((c) => c.until((v) => v.timer.status === 'expired', deadline - Date.now() + 5000)));
    await new Promise((r) => setTimeout(r, 500));
    expect((await everyone('reflect')).timer).toMatchObject({ status: 'expired' });
    expect(facilitator.seq).toBe(seqBeforeReflectTimeout + 1);

    // The round goes on, to its end, on the one process left.
    const useful = afterKill.contributions.find((c) => c.text === [...acked][0])!;
    await ada.do('contribution:markUseful', { contributionId: useful.id, useful: true });
    await facilitator.do('round:next', {});
    await everyone('respond');
    await ada.do('nextStep:add', { text: 'Book a talk with HR on Monday' });
    await facilitator.do('round:next', {});
    expect((await everyone('nextSteps')).nextSteps.map((s) => s.text)).toEqual(['Book a talk with HR on Monday']);
    await facilitator.do('round:next', {});
    await everyone('evaluate');
    await Promise.all(participants.map((p, i) => p.do('evaluation:submit', { usefulness: 5 - (i % 2), process: 4 })));
    expect((await everyone('evaluate')).evaluation).toMatchObject({ count: 4, usefulness: 4.5, process: 4 });
    await facilitator.do('round:next', {});
    const ended = await everyone('ended');
    expect(ended.contributions.filter((c) => c.useful).map((c) => c.id)).toEqual([useful.id]);

    // No screen ever went back to an older version.
    for (const client of all) {
      const seqs = client.messages.map((m) => m.seq);
      expect(seqs, client.label).toEqual([...seqs].sort((x, y) => x - y));
    }

    // The log: one unbroken line of versions, and one time-out per timed-out phase.
    const db = new pg.Client({ connectionString: PG_URL });
    await db.connect();
    try {
      const events = (await db.query<{ seq: number; type: string }>(`SELECT seq, type FROM ${schema}.session_events WHERE code = $1 ORDER BY seq`, [code]))
        .rows;
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.at(-1)!.seq).toBe(facilitator.seq);
      expect(events.filter((e) => e.type === 'round:timeout').map((e) => e.seq)).toEqual([seqBeforeClarifyTimeout + 1, seqBeforeReflectTimeout + 1]);
    } finally {
      await db.end();
    }

    // nginx's log. A WebSocket is logged when it closes: close them all first.
    all.forEach((c) => c.close());
    await new Promise((r) => setTimeout(r, 300));
    const lines = nginx.log().filter((l) => l.uri === '/socket.io/');
    const answered = (l: LogLine) => l.upstreams.at(-1)!;
    // Where a client must have landed: by its cookie (or address), on B once A was gone.
    const expected = (client: Client, started: number) => (onA.includes(client) && started < killedAt ? address(a) : address(b));
    // WebSockets, upgraded through nginx, on both processes and each where its cookie says.
    const upgrades = lines.filter((l) => l.status === 101);
    expect(new Set(upgrades.map(answered))).toEqual(new Set([address(a), address(b)]));
    for (const client of all.filter((c) => routeOf.has(c))) {
      const mine = upgrades.filter((l) => l.route === routeOf.get(client));
      expect(mine.length, client.label).toBeGreaterThan(0);
      for (const line of mine) expect(answered(line), client.label).toBe(expected(client, line.started));
    }
    // Sticky: every request of one Engine.IO connection (known by its sid) reached one process.
    const bySid = new Map<string, LogLine[]>();
    for (const line of lines) if (line.sid) bySid.set(line.sid, [...(bySid.get(line.sid) ?? []), line]);
    for (const client of all) {
      for (const { sid, at } of client.engines) {
        const requests = (bySid.get(sid) ?? []).filter((l) => l.status < 400);
        for (const line of requests) expect(answered(line), `${client.label} ${sid}`).toBe(expected(client, at));
      }
    }
    // The long-polling clients made many such requests, on A and B for Cai, on B for Dag.
    const polled = (client: Client, upstream: string) =>
      client.engines.flatMap(({ sid }) => bySid.get(sid) ?? []).filter((l) => l.transport === 'polling' && answered(l) === upstream).length;
    expect(polled(cai, address(a))).toBeGreaterThan(5);
    expect(polled(cai, address(b))).toBeGreaterThan(5);
    expect(polled(dag, address(b))).toBeGreaterThan(0);
    // While both processes were up, no request lost its connection ("Session ID unknown" is a 400).
    expect(lines.filter((l) => l.status >= 400 && l.ended < killedAt)).toEqual([]);
  });
});
