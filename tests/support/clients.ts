import { io, type Socket } from 'socket.io-client';
import { applyPatch } from '@kollegium/shared';
import type {
  ClientToServerEvents,
  CommandAck,
  CommandInput,
  CommandName,
  CreateSessionRequest,
  CreateSessionResponse,
  JoinResponse,
  RoleView,
  ServerToClientEvents,
  SocketAuth,
  ViewMessage,
} from '@kollegium/shared';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let counter = 0;
export const cid = () => `test-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

export async function postJson<T>(url: string, body: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
}

export interface ClientOptions {
  /** Reconnect by itself, with jittered back-off, as the real client does. */
  reconnect?: boolean;
  transports?: ('polling' | 'websocket')[];
  /** A Cookie header for every request (e.g. a load balancer's routing cookie). */
  cookie?: string;
}

/** A real socket.io-client that keeps every view message it receives. */
export class TestClient {
  readonly socket: ClientSocket;
  readonly messages: ViewMessage[] = [];
  /** Every raw payload received, to check what went over this client's wire. */
  readonly wire: string[] = [];
  /** The version of this client's last accepted command. */
  lastAck = -1;
  /** Engine.IO connection ids this client had, with the time each opened. */
  readonly engines: { sid: string; at: number }[] = [];
  private waiters: (() => void)[] = [];

  constructor(
    url: string,
    readonly auth: SocketAuth,
    readonly label: string,
    options: ClientOptions = {},
  ) {
    this.socket = io(url, {
      // On every (re)connect the client says which version it has.
      auth: (cb) => cb(this.messages.length ? { ...auth, lastSeq: this.seq } : auth),
      transports: options.transports ?? ['websocket'],
      // What a browser sends once it has a cookie; Node's client keeps none by itself.
      ...(options.cookie ? { extraHeaders: { cookie: options.cookie } } : {}),
      forceNew: true,
      reconnection: options.reconnect ?? false,
      reconnectionDelay: 100,
      reconnectionDelayMax: 1000,
      randomizationFactor: 0.5,
    });
    this.socket.io.on('open', () => this.engines.push({ sid: this.socket.io.engine.id, at: Date.now() }));
    this.socket.onAny((event, ...args) => this.wire.push(`${event} ${JSON.stringify(args)}`));
    this.socket.on('session:view', (message) => this.record(message));
    this.socket.on('session:patch', (patch) => {
      const last = this.messages.at(-1);
      if (last && last.seq === patch.base) this.record({ seq: patch.seq, serverNow: patch.serverNow, view: applyPatch(last.view, patch) });
      else this.socket.emit('session:sync', { lastSeq: last?.seq ?? null }, () => {});
    });
  }

  private record(message: ViewMessage): void {
    this.messages.push(message);
    for (const wake of this.waiters.splice(0)) wake();
  }

  get view(): RoleView {
    const last = this.messages.at(-1);
    if (!last) throw new Error(`${this.label} has no view yet`);
    return last.view;
  }

  get seq(): number {
    return this.messages.at(-1)?.seq ?? -1;
  }

  get transport(): string | undefined {
    return this.socket.io.engine?.transport?.name;
  }

  async connected(): Promise<this> {
    if (!this.socket.connected) {
      await new Promise<void>((resolve, reject) => {
        this.socket.once('connect', () => resolve());
        this.socket.once('connect_error', (err) => reject(err));
      });
    }
    await this.until(() => true);
    return this;
  }

  /** Resolves once the latest view satisfies `predicate` (or rejects after `ms`). */
  until(predicate: (view: RoleView) => boolean, ms = 5000): Promise<RoleView> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const last = this.messages.at(-1);
        if (last && predicate(last.view)) {
          clearTimeout(timer);
          resolve(last.view);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => reject(new Error(`${this.label}: condition not met within ${ms} ms (seq ${this.seq})`)), ms);
      const loop = () => {
        if (!check()) this.waiters.push(loop);
      };
      loop();
    });
  }

  /** Sends a command; an accepted one moves `lastAck`, so waiting for "everyone up to date" includes it. */
  async send<N extends CommandName>(name: N, payload: Omit<CommandInput<N>, 'cid'> & { cid?: string }): Promise<CommandAck> {
    const ack = (await this.raw(name, { cid: cid(), ...payload })) as CommandAck;
    if (ack.ok) this.lastAck = Math.max(this.lastAck, ack.seq);
    return ack;
  }

  /** Emits anything, typed or not, and resolves with the ack. */
  raw(event: string, ...args: unknown[]): Promise<unknown> {
    const socket = this.socket.timeout(5000) as unknown as { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
    return socket.emitWithAck(event, ...args);
  }

  /** Sends a command that must be accepted. */
  async do<N extends CommandName>(name: N, payload: Omit<CommandInput<N>, 'cid'> & { cid?: string }): Promise<number> {
    const ack = await this.send(name, payload);
    if (!ack.ok) throw new Error(`${this.label} ${name} refused: ${ack.code} ${ack.message}`);
    return ack.seq;
  }

  close(): void {
    this.socket.disconnect();
  }
}

export interface Round {
  code: string;
  links: CreateSessionResponse['links'];
  facilitator: TestClient;
  board: TestClient;
  participants: TestClient[];
  all: TestClient[];
  close(): void;
}

export const keyOf = (link: string) => new URL(link, 'http://x').hash.replace('#key=', '');

export async function joinParticipant(url: string, code: string, name: string, options: { reconnect?: boolean } = {}): Promise<TestClient> {
  const { status, body } = await postJson<JoinResponse>(`${url}/api/sessions/${code}/participants`, { name });
  if (status !== 201) throw new Error(`join failed: ${status} ${JSON.stringify(body)}`);
  return new TestClient(url, { role: 'participant', code, token: body.token }, name, options).connected();
}

/** Creates a session and connects a facilitator, a board and named participants. */
export async function openRound(
  url: string,
  request: CreateSessionRequest,
  names: string[],
  options: { reconnect?: boolean } = {},
): Promise<Round> {
  const created = await postJson<CreateSessionResponse>(`${url}/api/sessions`, request);
  if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
  const { code, links } = created.body;
  const facilitator = await new TestClient(url, { role: 'facilitator', code, key: keyOf(links.facilitator) }, 'facilitator', options).connected();
  const board = await new TestClient(url, { role: 'board', code, key: keyOf(links.board) }, 'board', options).connected();
  const participants: TestClient[] = [];
  for (const name of names) participants.push(await joinParticipant(url, code, name, options));
  const all = [facilitator, board, ...participants];
  await Promise.all(all.map((c) => c.until((v) => v.participants.length === names.length)));
  return { code, links, facilitator, board, participants, all, close: () => all.forEach((c) => c.close()) };
}

/** Waits until every client has the newest version any client has seen or been acked. */
export async function settled(round: Round): Promise<RoleView[]> {
  const seq = Math.max(...round.all.flatMap((c) => [c.seq, c.lastAck]));
  return Promise.all(round.all.map((c) => c.until(() => c.seq >= seq)));
}
