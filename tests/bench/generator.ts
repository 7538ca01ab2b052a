/**
 * The load generator: one process (pinned to its own core by run.ts) holding every client as a
 * real socket.io-client over WebSocket. Driven by run.ts over IPC (see `serveRpc` below).
 *
 * One clock: every latency is `performance.now()` in this process — the time a contribution was
 * emitted, and the time it first appeared on each other screen of its session (in a
 * `session:view`'s `view.contributions` or a `session:patch`'s `contributions.upsert`). A
 * contribution is found by the marker at the start of its text (`#<n> …`).
 */
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { RECONNECTION } from '@kollegium/shared';
import { io, type Socket } from 'socket.io-client';
import { rpcLog, serveRpc } from './rpc.js';
import { pool, round, Samples, sleep, summarize } from './stats.js';

type Role = 'facilitator' | 'board' | 'participant';
type Ack = { ok: true; seq: number } | { ok: false; code: string; message: string };
type ContributionLike = { text?: unknown };
interface ViewMsg {
  seq: number;
  view: { phase?: string; contributions?: ContributionLike[] };
}
interface PatchMsg {
  seq: number;
  base: number;
  view: { phase?: string };
  contributions?: { upsert?: ContributionLike[] };
}

export interface InitArgs {
  url: string;
  mode: 'ours' | 'bare';
  participants: number;
  /** Restart scenario: reconnect like the real client (jittered back-off, randomizationFactor 0.5). */
  reconnect: boolean;
  httpConcurrency: number;
  connectConcurrency: number;
  sessionConcurrency: number;
  ackTimeoutMs: number;
}

export interface LoadArgs {
  label: string;
  rate: number;
  durationMs: number;
  graceMs: number;
  /** Move present → clarify → reflect at a third and two thirds of the run (sessions still before reflect). */
  advancePhases: boolean;
}

export interface LoadResult {
  label: string;
  targetRate: number;
  achievedRate: number;
  durationMs: number;
  sessions: number;
  connections: number;
  sent: number;
  accepted: number;
  refused: Record<string, number>;
  ackTimeouts: number;
  acksMissing: number;
  fanout: ReturnType<typeof summarize>;
  ack: ReturnType<typeof summarize>;
  expectedReceipts: number;
  receivedReceipts: number;
  lost: number;
  /** Filled in by run.ts once the server has drained: receipts counted lost that came later, and those that never came. */
  lateAfterGrace?: number;
  neverArrived?: number;
  drainMs: number;
  maxScheduleLagMs: number;
  phaseChanges: { ok: number; failed: number };
  /** Per second of sending: fan-out p99 and max of the contributions sent in that second. */
  timeline: { s: number; receipts: number; p99: number | null; max: number | null }[];
  generator: { cpuPct: number; eventLoopDelayP99: number; eventLoopDelayMax: number; gcPauseMaxMs: number; gcPauseTotalMs: number; heapUsed: number };
}

let cfg: InitArgs;
const genEld = monitorEventLoopDelay({ resolution: 10 });
genEld.enable();
/** Garbage-collection pauses of this process: they delay receipts, so they are reported with the figures. */
const gcPauses = { count: 0, totalMs: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcPauses.count++;
    gcPauses.totalMs += e.duration;
    gcPauses.maxMs = Math.max(gcPauses.maxMs, e.duration);
  }
}).observe({ entryTypes: ['gc'] });

const CONTRIBUTION_PHASES = new Set(['present', 'clarify', 'reflect']);
const FILLER = [
  'How did your team react the first time you raised it, and who else already knew?',
  'What would change for you if nothing changed at all over the next six months?',
  'I recognise this; what helped me was to name my own part in it before asking for theirs.',
  'Could you try a short one-to-one walk instead of the formal meeting room?',
  'What do you think your manager expects from you here, and have you asked them?',
  'Which of the people involved would be most relieved if you brought it up?',
];

class Bucket {
  fanout = new Samples();
  /** For each fan-out sample, when its contribution was sent (ms into the run): for the timeline. */
  fanoutSentAt = new Samples();
  t0 = performance.now();
  ack = new Samples();
  sent = 0;
  accepted = 0;
  refused: Record<string, number> = {};
  ackTimeouts = 0;
  acksPending = 0;
  expected = 0;
  received = 0;
  lost = 0;
  outstanding = 0;
  closed = false;
  /** Receipts that came after the grace period, when they were already counted lost. */
  late = 0;
  label = '';
}

interface Rec {
  sentAt: number;
  sess: Sess;
  sender: number;
  got: Uint8Array;
  remaining: number;
  others: number;
  bucket: Bucket;
}

interface Watch {
  down: number | null;
  up: number | null;
  /** The last reconnection attempt socket.io-client made (its back-off decides when). */
  attempt: number | null;
  resynced: number | null;
  /** What brought the client up to date after reconnecting: a full view or a patch from its version. */
  by: 'view' | 'patch' | null;
  refused: string | null;
  transient: number;
}

interface Sess {
  index: number;
  code: string;
  clients: Client[];
  facilitator: Client | null;
  senders: Client[];
  phase: string;
}

const pending = new Map<number, Rec>();
/** Contributions counted with receipts missing, kept until the next run to see whether those still come. */
const expired = new Map<number, Rec>();
/** The last run's counters, for `late()`. */
let lastBucket: Bucket | null = null;
let nextMarker = 0;
let sessions: Sess[] = [];
let nextSessionIndex = 0;

function markerOf(text: unknown): number {
  if (typeof text !== 'string' || text.charCodeAt(0) !== 35) return -1;
  const space = text.indexOf(' ');
  const n = Number(text.slice(1, space > 0 ? space : undefined));
  return Number.isInteger(n) && n > 0 ? n : -1;
}

function finish(marker: number, rec: Rec): void {
  pending.delete(marker);
  if (rec.remaining > 0) expired.set(marker, rec);
  const b = rec.bucket;
  b.expected += rec.others;
  b.received += rec.others - rec.remaining;
  b.lost += rec.remaining;
  b.outstanding--;
}

/** Records the first receipt of `marker` on client `c`; false when scanning an older view may stop here. */
function receive(c: Client, marker: number, now: number): boolean {
  const rec = pending.get(marker);
  if (!rec) return lateReceipt(c, marker);
  if (rec.sess !== c.sess) return false;
  if (rec.sender === c.slot) return true; // the sender's own: not a receipt, keep scanning
  if (rec.got[c.slot]) return false;
  rec.got[c.slot] = 1;
  rec.bucket.fanout.push(now - rec.sentAt);
  rec.bucket.fanoutSentAt.push(rec.sentAt - rec.bucket.t0);
  if (--rec.remaining === 0) finish(marker, rec);
  return true;
}

function lateReceipt(c: Client, marker: number): boolean {
  const rec = expired.get(marker);
  if (!rec || rec.sess !== c.sess) return false;
  if (rec.sender === c.slot) return true;
  if (rec.got[c.slot]) return false;
  rec.got[c.slot] = 1;
  rec.bucket.late++;
  if (--rec.remaining === 0) expired.delete(marker);
  return true;
}

class Client {
  readonly socket: Socket;
  seq = -1;
  private syncing = false;
  watch: Watch | null = null;
  readonly ready: Promise<void>;

  constructor(
    readonly sess: Sess,
    readonly slot: number,
    readonly role: Role,
    auth: Record<string, string>,
  ) {
    this.socket = io(cfg.url, {
      // As the real client: on every (re)connect the handshake says which version it has.
      auth: (cb) => cb(this.seq >= 0 ? { ...auth, lastSeq: this.seq } : auth),
      transports: ['websocket'],
      forceNew: true,
      reconnection: cfg.reconnect,
      // As the real client (client/src/lib/socket.ts): jittered back-off.
      ...RECONNECTION,
    });
    const s = this.socket;
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${role} of ${sess.code}: no view within 30 s`)), 30_000);
      s.once('session:view', () => {
        clearTimeout(timer);
        resolve();
      });
      s.on('connect_error', (err: Error & { data?: { code?: string } }) => {
        if (this.watch) return;
        if (err.data?.code || !cfg.reconnect) {
          clearTimeout(timer);
          reject(new Error(`${role} of ${sess.code}: connect_error ${err.data?.code ?? err.message}`));
        }
      });
    });
    this.ready.catch(() => {});
    s.on('session:view', (msg: ViewMsg) => this.onView(msg));
    s.on('session:patch', (patch: PatchMsg) => this.onPatch(patch));
    s.on('connect', () => {
      if (this.watch && this.watch.down !== null && this.watch.up === null) this.watch.up = Date.now();
      s.emit('time:sync', () => {}); // as the real client does on every connect
    });
    // socket.io-client's own retries; the ones after a refusal are ours (below).
    s.io.on('reconnect_attempt', () => {
      if (this.watch && this.watch.up === null) this.watch.attempt = Date.now();
    });
    s.on('disconnect', (reason: string) => {
      if (this.watch && this.watch.down === null) this.watch.down = Date.now();
      if (cfg.reconnect && reason === 'io server disconnect') s.connect();
    });
    s.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      const w = this.watch;
      const code = err.data?.code;
      if (!w || !code) return; // transport errors: socket.io-client backs off and retries by itself
      if (code === 'UNAVAILABLE' || code === 'RATE_LIMITED' || code === 'INTERNAL') {
        w.transient++;
        setTimeout(() => {
          if (w.up === null) w.attempt = Date.now();
          s.connect();
        }, 2000 + Math.random() * 3000).unref();
      } else w.refused = code;
    });
  }

  private onView(msg: ViewMsg): void {
    if (msg.seq < this.seq) return; // a client keeps the view with the highest seq
    this.seq = msg.seq;
    this.caughtUp('view');
    if (this.role === 'facilitator' && msg.view.phase) this.sess.phase = msg.view.phase;
    const list = msg.view.contributions;
    if (!list || pending.size + expired.size === 0) return;
    const now = performance.now();
    // Contributions only ever append: scan from the newest back to the first one already known.
    for (let i = list.length - 1; i >= 0; i--) {
      const marker = markerOf(list[i]!.text);
      if (marker < 0) continue;
      if (!receive(this, marker, now)) break;
    }
  }

  private caughtUp(by: 'view' | 'patch'): void {
    const w = this.watch;
    if (w && w.up !== null && w.resynced === null) {
      w.resynced = Date.now();
      w.by = by;
    }
  }

  private onPatch(patch: PatchMsg): void {
    if (patch.seq < this.seq) return;
    if (patch.base !== this.seq) {
      // Not our version: ask to catch up, as the real client does (receipts count from the answer).
      if (!this.syncing && this.socket.connected) {
        this.syncing = true;
        this.socket.timeout(10_000).emit('session:sync', { lastSeq: this.seq >= 0 ? this.seq : null }, () => (this.syncing = false));
      }
      return;
    }
    this.seq = patch.seq;
    this.caughtUp('patch');
    if (this.role === 'facilitator' && patch.view?.phase) this.sess.phase = patch.view.phase;
    const upsert = patch.contributions?.upsert;
    if (!upsert || pending.size + expired.size === 0) return;
    const now = performance.now();
    for (const item of upsert) {
      const marker = markerOf(item.text);
      if (marker > 0) receive(this, marker, now);
    }
  }

  async command(name: string, payload: Record<string, unknown>): Promise<number> {
    const ack = (await this.socket
      .timeout(cfg.ackTimeoutMs)
      .emitWithAck(name, { cid: `bench-${process.pid}-${++nextMarker}`, ...payload })) as Ack;
    if (!ack.ok) throw new Error(`${this.role} ${name} refused: ${ack.code} ${ack.message}`);
    return ack.seq;
  }

  close(): void {
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }
}

/** At most `limit` of a kind of work at once, across all sessions being set up. */
class Limiter {
  private active = 0;
  private queue: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

let httpLimit: Limiter;
let connectLimit: Limiter;

async function postJson<T>(path: string, body: unknown): Promise<T> {
  return httpLimit.run(async () => {
    const res = await fetch(`${cfg.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    const json = (await res.json()) as T;
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
    return json;
  });
}

const keyOf = (link: string) => new URL(link, 'http://x').hash.replace('#key=', '');

async function connectClient(sess: Sess, slot: number, role: Role, auth: Record<string, string>): Promise<Client> {
  return connectLimit.run(async () => {
    const client = new Client(sess, slot, role, auth);
    sess.clients[slot] = client;
    await client.ready;
    return client;
  });
}

/** Creates one session, connects its facilitator, board and participants, and brings it to `present`. */
async function setUpSession(): Promise<Sess> {
  const created = await postJson<{ code: string; links: { facilitator: string; board: string } }>('/api/sessions', {
    title: `Bench round ${nextSessionIndex + 1}`,
    format: 'focus',
    minutes: { choose: 240, present: 240, clarify: 240, reflect: 240 },
    hideUntilReveal: false,
    allowAnonymous: true,
  });
  const sess: Sess = { index: nextSessionIndex++, code: created.code, clients: [], facilitator: null, senders: [], phase: 'lobby' };
  try {
    const { code } = created;
    const staff = Promise.all([
      connectClient(sess, 0, 'facilitator', { role: 'facilitator', code, key: keyOf(created.links.facilitator) }),
      connectClient(sess, 1, 'board', { role: 'board', code, key: keyOf(created.links.board) }),
    ]);
    const people = Promise.all(
      Array.from({ length: cfg.participants }, async (_, i) => {
        const joined = await postJson<{ token: string }>(`/api/sessions/${code}/participants`, { name: `Person ${i + 1}` });
        return connectClient(sess, 2 + i, 'participant', { role: 'participant', code, token: joined.token });
      }),
    );
    const [[facilitator], participants] = await Promise.all([staff, people]);
    sess.facilitator = facilitator;
    const owner = participants[0]!;
    sess.senders = participants.slice(1);
    if (cfg.mode === 'ours') {
      await owner.command('challenge:submit', {
        title: 'A long-term sick leave in my team',
        context: 'Ten people; the rest of the team is covering and getting tired.',
        question: 'How do I open the conversation without making it worse?',
      });
      await facilitator.command('round:start', {});
      await facilitator.command('challenge:pick', {});
      await owner.command('challenge:confirm', {});
      const deadline = performance.now() + 10_000;
      while (sess.phase !== 'present' && performance.now() < deadline) await sleep(20);
      if (sess.phase !== 'present') throw new Error(`${code}: facilitator did not see 'present' (at ${sess.phase})`);
    } else sess.phase = 'present';
    return sess;
  } catch (error) {
    for (const c of sess.clients) c?.close();
    throw error;
  }
}

function connections(): number {
  return sessions.reduce((n, s) => n + s.clients.length, 0);
}

function sendOne(bucket: Bucket, live: Sess[]): void {
  const sess = live[Math.floor(Math.random() * live.length)]!;
  const sender = sess.senders[Math.floor(Math.random() * sess.senders.length)]!;
  const marker = ++nextMarker;
  const others = sess.clients.length - 1;
  const rec: Rec = { sentAt: 0, sess, sender: sender.slot, got: new Uint8Array(sess.clients.length), remaining: others, others, bucket };
  pending.set(marker, rec);
  bucket.sent++;
  bucket.outstanding++;
  bucket.acksPending++;
  const payload = {
    cid: `bench-${process.pid}-${marker}`,
    kind: sess.phase === 'reflect' ? 'reflection' : 'question',
    text: `#${marker} ${FILLER[marker % FILLER.length]}`,
    anonymous: false,
  };
  rec.sentAt = performance.now();
  sender.socket.timeout(cfg.ackTimeoutMs).emit('contribution:add', payload, (err: Error | null, ack: Ack) => {
    if (bucket.closed) return;
    bucket.acksPending--;
    if (err) {
      bucket.ackTimeouts++;
      return;
    }
    if (ack.ok) {
      bucket.accepted++;
      bucket.ack.push(performance.now() - rec.sentAt);
    } else {
      bucket.refused[ack.code] = (bucket.refused[ack.code] ?? 0) + 1;
      if (pending.get(marker) === rec) {
        pending.delete(marker);
        bucket.outstanding--;
      }
    }
  });
}

async function load(args: LoadArgs): Promise<LoadResult> {
  expired.clear();
  const bucket = new Bucket();
  bucket.label = args.label;
  lastBucket = bucket;
  const phaseChanges = { ok: 0, failed: 0 };
  const advanceAt = args.advancePhases ? [args.durationMs / 3, (2 * args.durationMs) / 3] : [];
  const advance = () => {
    for (const sess of sessions) {
      if (sess.phase !== 'present' && sess.phase !== 'clarify') continue;
      setTimeout(() => {
        sess.facilitator!.command('round:next', {}).then(
          () => phaseChanges.ok++,
          () => phaseChanges.failed++,
        );
      }, Math.random() * 500);
    }
  };
  genEld.reset();
  Object.assign(gcPauses, { count: 0, totalMs: 0, maxMs: 0 });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  bucket.t0 = t0;
  let maxLag = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const elapsed = Math.min(now - t0, args.durationMs);
      while (advanceAt.length && elapsed >= advanceAt[0]!) {
        advanceAt.shift();
        advance();
      }
      const due = Math.floor((args.rate * elapsed) / 1000);
      if (due - bucket.sent > 1) maxLag = Math.max(maxLag, ((due - bucket.sent) / args.rate) * 1000);
      const live = sessions.filter((s) => CONTRIBUTION_PHASES.has(s.phase));
      if (live.length) while (bucket.sent < due) sendOne(bucket, live);
      if (now - t0 >= args.durationMs) return resolve();
      setTimeout(tick, 2);
    };
    tick();
  });
  const sendEnd = performance.now();
  while ((bucket.outstanding > 0 || bucket.acksPending > 0) && performance.now() - sendEnd < args.graceMs) await sleep(10);
  const drainMs = performance.now() - sendEnd;
  for (const [marker, rec] of pending) if (rec.bucket === bucket) finish(marker, rec);
  bucket.closed = true;
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  return {
    label: args.label,
    targetRate: args.rate,
    achievedRate: round((bucket.sent * 1000) / args.durationMs, 1),
    durationMs: args.durationMs,
    sessions: sessions.length,
    connections: connections(),
    sent: bucket.sent,
    accepted: bucket.accepted,
    refused: bucket.refused,
    ackTimeouts: bucket.ackTimeouts,
    acksMissing: bucket.acksPending,
    fanout: summarize(bucket.fanout.view()),
    ack: summarize(bucket.ack.view()),
    expectedReceipts: bucket.expected,
    receivedReceipts: bucket.received,
    lost: bucket.lost,
    drainMs: Math.round(drainMs),
    maxScheduleLagMs: Math.round(maxLag),
    phaseChanges,
    timeline: timeline(bucket, args.durationMs),
    generator: {
      cpuPct: round(((cpu.user + cpu.system) / 1000 / wall) * 100, 1),
      // The histogram records the time between 10 ms timer ticks; the delay is what exceeds 10 ms.
      eventLoopDelayP99: Math.max(0, round(genEld.percentile(99) / 1e6 - 10)),
      eventLoopDelayMax: Math.max(0, round(genEld.max / 1e6 - 10)),
      gcPauseMaxMs: round(gcPauses.maxMs),
      gcPauseTotalMs: round(gcPauses.totalMs),
      heapUsed: process.memoryUsage().heapUsed,
    },
  };
}

function timeline(bucket: Bucket, durationMs: number): LoadResult['timeline'] {
  const seconds = Math.ceil(durationMs / 1000);
  const per: number[][] = Array.from({ length: seconds }, () => []);
  const lat = bucket.fanout.view();
  const at = bucket.fanoutSentAt.view();
  for (let i = 0; i < lat.length; i++) per[Math.min(seconds - 1, Math.floor(at[i]! / 1000))]!.push(lat[i]!);
  return per.map((list, s) => {
    const sum = summarize(list);
    return { s, receipts: sum.count, p99: sum.p99, max: sum.max };
  });
}

/** What run.ts may call (and, through `GeneratorApi`, the types of what each call answers). */
const api = {
  init(args: InitArgs) {
    cfg = args;
    httpLimit = new Limiter(args.httpConcurrency);
    connectLimit = new Limiter(args.connectConcurrency);
    return { pid: process.pid };
  },

  async addSessions({ count }: { count: number }) {
    const t0 = performance.now();
    const errors: string[] = [];
    let added = 0;
    let lastLog = t0;
    await pool(
      Array.from({ length: count }, (_, i) => i),
      cfg.sessionConcurrency,
      async () => {
        try {
          sessions.push(await setUpSession());
          added++;
        } catch (error) {
          errors.push(error instanceof Error ? error.message : String(error));
        }
        if (performance.now() - lastLog > 5000) {
          lastLog = performance.now();
          rpcLog(`set up ${added}/${count} sessions (${errors.length} failed)…`);
        }
      },
    );
    return {
      added,
      failed: errors.length,
      errors: errors.slice(0, 5),
      sessions: sessions.length,
      connections: connections(),
      ms: Math.round(performance.now() - t0),
    };
  },

  load: (args: LoadArgs) => load(args),

  /** Receipts of the last run that arrived after it had counted them lost. */
  late() {
    const byLabel: Record<string, { late: number; stillMissing: number }> = {};
    if (lastBucket) byLabel[lastBucket.label] = { late: lastBucket.late, stillMissing: 0 };
    for (const rec of expired.values()) {
      const entry = (byLabel[rec.bucket.label] ??= { late: rec.bucket.late, stillMissing: 0 });
      entry.stillMissing += rec.remaining;
    }
    return byLabel;
  },

  /** Restart scenario: from now on, note per client when it lost the server, came back and resynced. */
  armRestart() {
    for (const s of sessions) for (const c of s.clients) c.watch = { down: null, up: null, attempt: null, resynced: null, by: null, refused: null, transient: 0 };
    return { clients: connections() };
  },

  restartStatus() {
    const all = sessions.flatMap((s) => s.clients.map((c) => c.watch!));
    const refused: Record<string, number> = {};
    for (const w of all) if (w.refused) refused[w.refused] = (refused[w.refused] ?? 0) + 1;
    return {
      total: all.length,
      down: all.filter((w) => w.down !== null).length,
      reconnected: all.filter((w) => w.up !== null).length,
      resyncedAt: all.filter((w) => w.resynced !== null).map((w) => w.resynced!),
      reconnectedAt: all.filter((w) => w.up !== null).map((w) => w.up!),
      // Per client, its last attempt → caught up: the server's share of the wait (the rest is back-off).
      settleMs: all.filter((w) => w.attempt !== null && w.resynced !== null).map((w) => w.resynced! - w.attempt!),
      resyncedBy: { view: all.filter((w) => w.by === 'view').length, patch: all.filter((w) => w.by === 'patch').length },
      refused,
      transientRefusals: all.reduce((n, w) => n + w.transient, 0),
      unresolved: all.filter((w) => w.resynced === null && w.refused === null).length,
    };
  },

  closeAll() {
    for (const s of sessions) for (const c of s.clients) c?.close();
    const closed = connections();
    sessions = [];
    pending.clear();
    expired.clear();
    return { closed };
  },
};
export type GeneratorApi = typeof api;
serveRpc(api);

// Exit normally on SIGTERM (from run.ts), so that exit hooks such as --cpu-prof run.
process.on('SIGTERM', () => process.exit(0));
