/**
 * The baseline: a bare Socket.IO server that does only what any real-time relay must do, under
 * the same load as Kollegium. Same HTTP shape for creating sessions and joining (no validation,
 * no storage), same handshake auth (it only reads the code), one room per session; on
 * `contribution:add` it broadcasts the contribution to the room as a one-item `session:patch`
 * and acknowledges. No round machine, no views, no writes.
 */
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Server } from 'socket.io';

const port = Number(process.env.PORT ?? 3100);
const host = process.env.HOST ?? '127.0.0.1';
const secret = () => randomBytes(18).toString('base64url');
const rooms = new Map<string, { seq: number }>();
// For tests of the benchmark itself: every Nth contribution is acknowledged but relayed to no one,
// so that its loss count has something to find. Never set in a measured run.
const dropEvery = Number(process.env.BENCH_BARE_DROP_EVERY ?? 0);
if (dropEvery > 0) console.warn(`bare relay: dropping every ${dropEvery}th contribution (BENCH_BARE_DROP_EVERY)`);
let contributions = 0;
const roomOf = (code: string) => {
  let room = rooms.get(code);
  if (!room) rooms.set(code, (room = { seq: 0 }));
  return room;
};

const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const http = createServer((req, res) => {
  const url = req.url ?? '/';
  req.resume();
  req.on('end', () => {
    if (url === '/healthz') return json(res, 200, { ok: true });
    if (req.method === 'POST' && url === '/api/sessions') {
      let code = '';
      do code = randomBytes(4).toString('hex').slice(0, 6).toUpperCase();
      while (rooms.has(code));
      roomOf(code);
      return json(res, 201, {
        code,
        links: { participant: `/join/${code}`, board: `/board/${code}#key=${secret()}`, facilitator: `/facilitate/${code}#key=${secret()}` },
      });
    }
    const join = /^\/api\/sessions\/(\w+)\/participants$/.exec(url);
    if (req.method === 'POST' && join) return json(res, 201, { participantId: secret().slice(0, 12), token: secret() });
    json(res, 404, { error: { code: 'NOT_FOUND', message: 'no route' } });
  });
});

const io = new Server(http, { serveClient: false, maxHttpBufferSize: 16 * 1024 });
io.on('connection', (socket) => {
  const auth = socket.handshake.auth as { code?: string; role?: string };
  const code = String(auth.code ?? '');
  const room = roomOf(code);
  void socket.join(code);
  const view = () => ({ seq: room.seq, serverNow: Date.now(), view: { phase: 'present', contributions: [] } });
  socket.emit('session:view', view());
  socket.on('contribution:add', (payload: { kind?: string; text?: string; anonymous?: boolean }, ack?: unknown) => {
    if (typeof ack !== 'function') return;
    if (dropEvery > 0 && ++contributions % dropEvery === 0) return ack({ ok: true, seq: room.seq });
    const seq = ++room.seq;
    const at = Date.now();
    const item = {
      id: `${code}-${seq}`,
      challengeId: 'c',
      kind: payload?.kind ?? 'question',
      text: String(payload?.text ?? ''),
      authorId: null,
      authorName: null,
      anonymous: Boolean(payload?.anonymous),
      mine: false,
      phase: 'present',
      at,
      hidden: false,
      held: false,
      useful: false,
    };
    io.to(code).emit('session:patch', {
      seq,
      base: seq - 1,
      serverNow: at,
      view: { phase: 'present' },
      contributions: { upsert: [item], remove: [] },
      challenges: { upsert: [], remove: [] },
    });
    ack({ ok: true, seq });
  });
  socket.on('time:sync', (ack?: unknown) => typeof ack === 'function' && ack({ ok: true, serverNow: Date.now() }));
  socket.on('session:sync', (_p: unknown, ack?: unknown) => {
    socket.emit('session:view', view());
    if (typeof ack === 'function') ack({ ok: true, seq: room.seq });
  });
  // Any other command is acknowledged and ignored (the bare server has no round).
  socket.onAny((event: string, ...args: unknown[]) => {
    if (event === 'contribution:add' || event === 'time:sync' || event === 'session:sync') return;
    const ack = args.at(-1);
    if (typeof ack === 'function') ack({ ok: true, seq: room.seq });
  });
});

http.listen(port, host);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    io.close();
    process.exit(0);
  });
}
