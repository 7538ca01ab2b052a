/**
 * The outbox: what this participant wrote and the server has not yet confirmed. Pure functions on
 * an immutable state (no React, no socket, no clock), so the rules are unit-tested on their own
 * (client/test/outbox.test.ts); `useOutbox.tsx` drives it over the socket.
 *
 * - Every entry gets its command id (`cid`) once, when it is written. Every send of it, after a
 *   reconnect or a reload, uses that same id: the server answers a repeated id with its first
 *   answer and never applies a command twice, so "resend when unsure" is always safe.
 * - Entries go out one at a time in the order they were written (`nextToSend`).
 * - An answer decides an entry's fate: `ok` → acknowledged; a refusal with a final code →
 *   failed (dropped from sending, kept on screen with the reason until dismissed); a transient
 *   code, a time-out or a lost connection → queued again for the next try.
 * - Unconfirmed and failed entries are persisted (`serialize`/`parse`), so a reload keeps them.
 */
import { isTransient } from './errors';

/** The commands that are written text and worth keeping across a lost connection or a reload. */
export type OutboxCommand = 'contribution:add' | 'nextStep:add';
export const OUTBOX_COMMANDS: readonly OutboxCommand[] = ['contribution:add', 'nextStep:add'];

export type OutboxStatus = 'queued' | 'sending' | 'acked' | 'failed';

export interface OutboxEntry {
  /** The command id, fixed when the entry is written and reused for every send. */
  cid: string;
  name: OutboxCommand;
  /** The command's payload without `cid`. */
  payload: Record<string, unknown>;
  /**
   * The challenge in focus when it was written. Neither command names its challenge (the server
   * uses the one in focus), so an entry must not go out once the round has moved to another.
   */
  focusId: string | null;
  createdAt: number;
  status: OutboxStatus;
  /** How many times it has been handed to the socket (0 = never sent). */
  attempt: number;
  /** Acknowledged: the session version it produced (the entry is shown until the view has it). */
  seq?: number;
  /** Failed: the error code to show. */
  code?: string;
}

export interface OutboxState {
  entries: readonly OutboxEntry[];
}

export const EMPTY: OutboxState = { entries: [] };

// RATE_LIMITED, UNAVAILABLE and INTERNAL: kept and retried; every other refusal is final.
export { isTransient, TRANSIENT_CODES } from './errors';

/** What became of one send. */
export type SendResult =
  | { ok: true; seq: number }
  | { ok: false; code: string }
  /** No answer: timed out, or the connection dropped before the ack arrived. */
  | { ok: false; lost: true };

export function enqueue(
  state: OutboxState,
  entry: { cid: string; name: OutboxCommand; payload: Record<string, unknown>; focusId: string | null; createdAt: number },
): OutboxState {
  if (state.entries.some((e) => e.cid === entry.cid)) return state;
  return { entries: [...state.entries, { ...entry, status: 'queued', attempt: 0 }] };
}

/** The entry to send now, in writing order: none while another is still waiting for its answer. */
export function nextToSend(state: OutboxState): OutboxEntry | undefined {
  if (state.entries.some((e) => e.status === 'sending')) return undefined;
  return state.entries.find((e) => e.status === 'queued');
}

function update(state: OutboxState, cid: string, change: (e: OutboxEntry) => OutboxEntry | null): OutboxState {
  let changed = false;
  const entries: OutboxEntry[] = [];
  for (const e of state.entries) {
    if (e.cid !== cid) {
      entries.push(e);
      continue;
    }
    const next = change(e);
    if (next !== e) changed = true;
    if (next) entries.push(next);
  }
  return changed ? { entries } : state;
}

/** Marks an entry as handed to the socket; returns the new state and the attempt number to settle with. */
export function markSending(state: OutboxState, cid: string): OutboxState {
  return update(state, cid, (e) => (e.status === 'queued' ? { ...e, status: 'sending', attempt: e.attempt + 1 } : e));
}

/**
 * Applies the answer to send number `attempt` of `cid`. An ok or a final refusal counts whenever
 * it arrives (every send of a cid gets the same answer); a transient failure only for the latest
 * send, so a late time-out of an earlier send cannot re-queue one that is on its way again.
 */
export function settle(state: OutboxState, cid: string, attempt: number, result: SendResult): OutboxState {
  return update(state, cid, (e) => {
    if (e.status === 'acked' || e.status === 'failed') return e;
    if (result.ok) return { ...e, status: 'acked', seq: result.seq };
    if ('code' in result && !isTransient(result.code)) return { ...e, status: 'failed', code: result.code };
    if (attempt !== e.attempt || e.status !== 'sending') return e;
    return { ...e, status: 'queued' };
  });
}

/** Gives an entry up without sending it (e.g. the round moved on); kept on screen with `code`. */
export function fail(state: OutboxState, cid: string, code: string): OutboxState {
  return update(state, cid, (e) => (e.status === 'acked' || e.status === 'failed' ? e : { ...e, status: 'failed', code }));
}

/** Marks an entry as done without an ack of ours (the view already shows it). */
export function resolve(state: OutboxState, cid: string): OutboxState {
  return update(state, cid, () => null);
}

/** The connection dropped: whatever was on its way is queued again (same cid). */
export function requeueSending(state: OutboxState): OutboxState {
  if (!state.entries.some((e) => e.status === 'sending')) return state;
  return { entries: state.entries.map((e) => (e.status === 'sending' ? { ...e, status: 'queued' } : e)) };
}

/** The person has read why an entry failed. */
export function dismiss(state: OutboxState, cid: string): OutboxState {
  return update(state, cid, (e) => (e.status === 'failed' ? null : e));
}

/** Drops acknowledged entries the view has caught up with (version `seq` or later). */
export function prune(state: OutboxState, seq: number): OutboxState {
  if (!state.entries.some((e) => e.status === 'acked' && (e.seq ?? Infinity) <= seq)) return state;
  return { entries: state.entries.filter((e) => !(e.status === 'acked' && (e.seq ?? Infinity) <= seq)) };
}

/** Still to be confirmed by the server (queued or on its way). */
export function unconfirmed(state: OutboxState): OutboxEntry[] {
  return state.entries.filter((e) => e.status === 'queued' || e.status === 'sending');
}

/**
 * Jittered exponential back-off before retrying after a transient failure: 1 s, 2 s, 4 s … up to
 * 30 s, each ±50 %, so many phones do not retry in step. `random` is injectable for tests.
 */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.5 + random()));
}

// ---- persistence ----

/**
 * What survives a reload: unconfirmed entries (as queued: whether a send got through is unknown,
 * so they are sent again with the same cid) and failed ones with their reason. Acknowledged
 * entries are in the server's view and need not be kept.
 */
export function serialize(state: OutboxState): string | null {
  const kept = state.entries
    .filter((e) => e.status !== 'acked')
    .map((e) => ({ ...e, status: e.status === 'sending' ? 'queued' : e.status, seq: undefined }));
  return kept.length ? JSON.stringify({ v: 1, entries: kept }) : null;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Reads what `serialize` wrote; anything malformed is skipped rather than trusted. */
export function parse(raw: string | null): OutboxState {
  if (!raw) return EMPTY;
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return EMPTY;
  }
  if (!isRecord(data) || !Array.isArray(data.entries)) return EMPTY;
  const entries: OutboxEntry[] = [];
  for (const e of data.entries as unknown[]) {
    if (!isRecord(e)) continue;
    const { cid, name, payload, focusId, createdAt, status, attempt, code } = e;
    if (typeof cid !== 'string' || !/^[\w-]{8,64}$/.test(cid)) continue;
    if (typeof name !== 'string' || !OUTBOX_COMMANDS.includes(name as OutboxCommand)) continue;
    if (!isRecord(payload)) continue;
    if (entries.some((x) => x.cid === cid)) continue;
    const failed = status === 'failed' && typeof code === 'string';
    entries.push({
      cid,
      name: name as OutboxCommand,
      payload,
      focusId: typeof focusId === 'string' ? focusId : null,
      createdAt: typeof createdAt === 'number' ? createdAt : 0,
      status: failed ? 'failed' : 'queued',
      attempt: typeof attempt === 'number' && attempt >= 0 ? attempt : 0,
      ...(failed ? { code } : {}),
    });
  }
  return { entries };
}

/** The part of `Storage` used here, so tests can pass a plain object. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const outboxKey = (code: string, participantId: string) => `kollegium.outbox.${code}.${participantId}`;

export function loadOutbox(storage: KeyValueStore, key: string): OutboxState {
  try {
    return parse(storage.getItem(key));
  } catch {
    return EMPTY; // storage blocked
  }
}

export function saveOutbox(storage: KeyValueStore, key: string, state: OutboxState): void {
  try {
    const raw = serialize(state);
    if (raw === null) storage.removeItem(key);
    else storage.setItem(key, raw);
  } catch {
    // Storage blocked or full: the outbox still works until the page is reloaded.
  }
}
