import type { ContributionView, RoleView, SocketAuth } from '@kollegium/shared';
import { TestClient } from './clients.js';

/** One line of `TestClient.wire`, parsed back: the event name and its arguments. */
export interface WireMessage {
  event: string;
  args: unknown[];
  /** The version the message brings the client to, when it is a view or a patch. */
  seq: number | null;
  raw: string;
}

export function parseWire(line: string): WireMessage {
  const space = line.indexOf(' ');
  const event = line.slice(0, space);
  const args = JSON.parse(line.slice(space + 1)) as unknown[];
  const first = args[0] as { seq?: unknown } | undefined;
  return { event, args, seq: typeof first?.seq === 'number' ? first.seq : null, raw: line };
}

/** Every contribution object a wire message carries: a full view's list or a patch's upserts. */
export function contributionsIn(message: WireMessage): ContributionView[] {
  const body = message.args[0] as
    | { view?: { contributions?: ContributionView[] }; contributions?: { upsert?: ContributionView[] } }
    | undefined;
  if (message.event === 'session:view') return body?.view?.contributions ?? [];
  if (message.event === 'session:patch') return body?.contributions?.upsert ?? [];
  return [];
}

/** Emits without an ack callback: the server must drop commands sent like this. */
export function emitWithoutAck(client: TestClient, event: string, ...args: unknown[]): void {
  (client.socket as unknown as { emit(event: string, ...args: unknown[]): void }).emit(event, ...args);
}

/** Emits and resolves with the ack, or with `'no answer'` after `ms`. */
export async function answerWithin(client: TestClient, ms: number, event: string, ...args: unknown[]): Promise<unknown> {
  const socket = client.socket.timeout(ms) as unknown as { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
  return socket.emitWithAck(event, ...args).catch(() => 'no answer');
}

/** A second connection with the same identity and no known version: its first message is a full view. */
export async function freshView(url: string, client: TestClient): Promise<{ fresh: TestClient; view: RoleView; seq: number }> {
  const { lastSeq: _ignored, ...auth } = client.auth as SocketAuth & { lastSeq?: number };
  const fresh = await new TestClient(url, auth as SocketAuth, `${client.label} (fresh)`).connected();
  return { fresh, view: fresh.view, seq: fresh.seq };
}

/** Picks deterministically from a list by a generated number. */
export const choose = <T>(items: readonly T[], n: number): T | undefined => (items.length ? items[Math.abs(n) % items.length] : undefined);

export const fmt = (n: number) => n.toLocaleString('en-US');

/** Socket.IO's own event names, which socket.io-client refuses to emit. */
export const CLIENT_RESERVED_EVENTS = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
