import { describe, expect, it } from 'vitest';
import {
  EMPTY,
  dismiss,
  enqueue,
  fail,
  isTransient,
  loadOutbox,
  markSending,
  nextToSend,
  outboxKey,
  parse,
  prune,
  requeueSending,
  retryDelay,
  saveOutbox,
  serialize,
  settle,
  unconfirmed,
  type KeyValueStore,
  type OutboxState,
} from '../src/lib/outbox';

const entry = (cid: string, text = cid, focusId: string | null = 'ch1') => ({
  cid,
  name: 'contribution:add' as const,
  payload: { kind: 'reflection', text, anonymous: false },
  focusId,
  createdAt: 1,
});

const cids = (s: OutboxState) => s.entries.map((e) => e.cid);
const statusOf = (s: OutboxState, cid: string) => s.entries.find((e) => e.cid === cid)?.status;

/** A stand-in for localStorage. */
function memoryStorage(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

/** Sends the next entry the way the driver does and returns the cid and attempt that went out. */
function send(s: OutboxState): { state: OutboxState; cid: string; attempt: number } {
  const next = nextToSend(s);
  if (!next) throw new Error('nothing to send');
  const state = markSending(s, next.cid);
  return { state, cid: next.cid, attempt: state.entries.find((e) => e.cid === next.cid)!.attempt };
}

describe('outbox', () => {
  it('enqueues in order, ignores a repeated cid, and acks', () => {
    let s = enqueue(EMPTY, entry('cid-aaaa-1'));
    s = enqueue(s, entry('cid-bbbb-2'));
    s = enqueue(s, entry('cid-aaaa-1', 'again'));
    expect(cids(s)).toEqual(['cid-aaaa-1', 'cid-bbbb-2']);
    expect(s.entries[0]!.payload.text).toBe('cid-aaaa-1');
    expect(unconfirmed(s)).toHaveLength(2);

    const a = send(s);
    expect(a.cid).toBe('cid-aaaa-1');
    s = settle(a.state, a.cid, a.attempt, { ok: true, seq: 7 });
    expect(statusOf(s, 'cid-aaaa-1')).toBe('acked');
    expect(s.entries[0]!.seq).toBe(7);
    expect(unconfirmed(s).map((e) => e.cid)).toEqual(['cid-bbbb-2']);
  });

  it('sends one at a time, in the order written', () => {
    let s = EMPTY;
    for (const c of ['one-11111', 'two-22222', 'three-3333']) s = enqueue(s, entry(c));
    const order: string[] = [];
    let seq = 10;
    for (;;) {
      const next = nextToSend(s);
      if (!next) break;
      const a = send(s);
      // While one is on its way, nothing else goes out.
      expect(nextToSend(a.state)).toBeUndefined();
      order.push(a.cid);
      s = settle(a.state, a.cid, a.attempt, { ok: true, seq: ++seq });
    }
    expect(order).toEqual(['one-11111', 'two-22222', 'three-3333']);
  });

  it('drops a command refused with a final code, keeps it visible, and goes on with the next', () => {
    let s = enqueue(enqueue(EMPTY, entry('refused-1')), entry('after-222'));
    const a = send(s);
    s = settle(a.state, a.cid, a.attempt, { ok: false, code: 'NOT_ALLOWED_NOW' });
    expect(statusOf(s, 'refused-1')).toBe('failed');
    expect(s.entries[0]!.code).toBe('NOT_ALLOWED_NOW');
    expect(nextToSend(s)?.cid).toBe('after-222');
    // A late ok for the same cid does not bring it back.
    expect(settle(s, 'refused-1', 1, { ok: true, seq: 3 })).toBe(s);
    s = dismiss(s, 'refused-1');
    expect(cids(s)).toEqual(['after-222']);
    // Only failed entries can be dismissed.
    expect(dismiss(s, 'after-222')).toBe(s);
  });

  it('keeps transient failures and lost acks in the outbox, first in line, with the same cid', () => {
    for (const code of ['RATE_LIMITED', 'UNAVAILABLE', 'INTERNAL']) expect(isTransient(code)).toBe(true);
    for (const code of ['NOT_ALLOWED_NOW', 'FORBIDDEN', 'BAD_REQUEST', 'MOVED_ON']) expect(isTransient(code)).toBe(false);

    let s = enqueue(enqueue(EMPTY, entry('first-111')), entry('second-22'));
    let a = send(s);
    s = settle(a.state, a.cid, a.attempt, { ok: false, code: 'UNAVAILABLE' });
    expect(statusOf(s, 'first-111')).toBe('queued');
    a = send(s);
    expect(a.cid).toBe('first-111');
    expect(a.attempt).toBe(2);
    s = settle(a.state, a.cid, a.attempt, { ok: false, lost: true });
    a = send(s);
    expect(a.cid).toBe('first-111');
    expect(a.attempt).toBe(3);
    s = settle(a.state, a.cid, a.attempt, { ok: true, seq: 5 });
    expect(nextToSend(s)?.cid).toBe('second-22');
  });

  it('ignores a late time-out of an earlier send while a newer one is on its way', () => {
    let s = enqueue(EMPTY, entry('racing-11'));
    let a = send(s);
    s = requeueSending(a.state); // the connection dropped
    expect(statusOf(s, 'racing-11')).toBe('queued');
    a = send(s); // resent after reconnect: attempt 2
    s = settle(a.state, 'racing-11', 1, { ok: false, lost: true }); // attempt 1 times out late
    expect(statusOf(s, 'racing-11')).toBe('sending');
    expect(nextToSend(s)).toBeUndefined();
    // …but an answer to any attempt counts: every send of a cid gets the same answer.
    s = settle(s, 'racing-11', 1, { ok: true, seq: 9 });
    expect(statusOf(s, 'racing-11')).toBe('acked');
  });

  it('gives up an entry without sending it (the round moved on)', () => {
    let s = enqueue(enqueue(EMPTY, entry('moved-111')), entry('stays-222'));
    s = fail(s, 'moved-111', 'MOVED_ON');
    expect(statusOf(s, 'moved-111')).toBe('failed');
    expect(nextToSend(s)?.cid).toBe('stays-222');
  });

  it('prunes acknowledged entries once the view has their version', () => {
    let s = enqueue(enqueue(EMPTY, entry('acked-111')), entry('waiting-2'));
    const a = send(s);
    s = settle(a.state, a.cid, a.attempt, { ok: true, seq: 12 });
    expect(prune(s, 11)).toBe(s);
    expect(cids(prune(s, 12))).toEqual(['waiting-2']);
  });

  it('survives a reload: what was unconfirmed is queued again with the same cid, failures stay, acks go', () => {
    const storage = memoryStorage();
    const key = outboxKey('ABC234', 'p1');
    let s = EMPTY;
    for (const c of ['acked-1111', 'failed-222', 'sending-33', 'queued-444']) s = enqueue(s, entry(c));
    let a = send(s);
    s = settle(a.state, a.cid, a.attempt, { ok: true, seq: 4 });
    a = send(s);
    s = settle(a.state, a.cid, a.attempt, { ok: false, code: 'FORBIDDEN' });
    a = send(s);
    s = a.state;
    expect(statusOf(s, 'sending-33')).toBe('sending');

    saveOutbox(storage, key, s);
    const loaded = loadOutbox(storage, key);
    expect(loaded.entries.map((e) => [e.cid, e.status])).toEqual([
      ['failed-222', 'failed'],
      ['sending-33', 'queued'],
      ['queued-444', 'queued'],
    ]);
    expect(loaded.entries[0]!.code).toBe('FORBIDDEN');
    // The payload and the challenge it was written for come back unchanged.
    expect(loaded.entries[1]).toMatchObject({ name: 'contribution:add', payload: entry('x', 'sending-33').payload, focusId: 'ch1', attempt: 1 });

    // Resent after the reload: the same command id as before, in the same order.
    const resent: string[] = [];
    let r = loaded;
    for (let next = nextToSend(r); next; next = nextToSend(r)) {
      const b = send(r);
      resent.push(b.cid);
      r = settle(b.state, b.cid, b.attempt, { ok: true, seq: 20 + resent.length });
    }
    expect(resent).toEqual(['sending-33', 'queued-444']);

    // Nothing left to keep: the key is removed.
    saveOutbox(storage, key, dismiss(prune(r, 100), 'failed-222'));
    expect(storage.data.has(key)).toBe(false);
  });

  it('reads damaged or foreign storage as empty or skips the bad entries', () => {
    expect(parse(null)).toEqual(EMPTY);
    expect(parse('not json')).toEqual(EMPTY);
    expect(parse('[]')).toEqual(EMPTY);
    const raw = JSON.stringify({
      v: 1,
      entries: [
        { cid: 'short', name: 'contribution:add', payload: {} },
        { cid: 'good-cid-1', name: 'vote:cast', payload: {} },
        { cid: 'good-cid-2', name: 'nextStep:add', payload: 'text' },
        { cid: 'good-cid-3', name: 'nextStep:add', payload: { text: 'ok' }, status: 'acked', seq: 3 },
        { cid: 'good-cid-3', name: 'nextStep:add', payload: { text: 'dup' } },
      ],
    });
    const s = parse(raw);
    expect(s.entries).toHaveLength(1);
    expect(s.entries[0]).toMatchObject({ cid: 'good-cid-3', status: 'queued', payload: { text: 'ok' }, focusId: null, attempt: 0 });
    expect(serialize(EMPTY)).toBeNull();
    const broken: KeyValueStore = {
      getItem: () => {
        throw new Error('blocked');
      },
      setItem: () => {
        throw new Error('blocked');
      },
      removeItem: () => {
        throw new Error('blocked');
      },
    };
    expect(loadOutbox(broken, 'k')).toEqual(EMPTY);
    expect(() => saveOutbox(broken, 'k', enqueue(EMPTY, entry('some-cid-1')))).not.toThrow();
  });

  it('backs off with jitter, growing and capped', () => {
    expect(retryDelay(1, () => 0)).toBe(500);
    expect(retryDelay(1, () => 0.5)).toBe(1000);
    expect(retryDelay(2, () => 0.5)).toBe(2000);
    expect(retryDelay(3, () => 0.999)).toBeLessThan(6000);
    expect(retryDelay(20, () => 0.5)).toBe(30_000);
    expect(retryDelay(20, () => 0.999)).toBeLessThanOrEqual(45_000);
  });
});
