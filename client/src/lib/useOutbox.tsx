import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { nanoid } from 'nanoid';
import { useTranslation } from '../i18n';
import type { RoleView } from '@kollegium/shared';
import { useSession } from './session';
import { emitCommand, SLOW_MS } from './useAction';
import { toErrorCode } from './errors';
import * as box from './outbox';

export interface OutboxApi {
  state: box.OutboxState;
  /** Keeps the command (persisted) and sends it as soon as the connection allows. */
  add(name: box.OutboxCommand, payload: Record<string, unknown>): void;
  /** Removes a failed entry once its reason has been read. */
  dismiss(cid: string): void;
  /** Entries unconfirmed for more than `SLOW_MS` since this page first had them. */
  slow: ReadonlySet<string>;
}

const OutboxContext = createContext<OutboxApi | null>(null);

export function useOutbox(): OutboxApi {
  const value = useContext(OutboxContext);
  if (!value) throw new Error('useOutbox outside an OutboxProvider');
  return value;
}

/** Whether the view already holds what `entry` would create (an earlier send got through). */
function alreadyApplied(view: RoleView, entry: box.OutboxEntry): boolean {
  const { text, kind } = entry.payload;
  if (entry.name === 'contribution:add') {
    return view.contributions.some((c) => c.mine && c.challengeId === entry.focusId && c.text === text && c.kind === kind);
  }
  return view.nextSteps.some((s) => s.challengeId === entry.focusId && s.text === text);
}

export const entryText = (entry: box.OutboxEntry) => (typeof entry.payload.text === 'string' ? entry.payload.text : '');

/**
 * Sends the participant's written commands (contributions, next steps) through the outbox:
 * persisted in localStorage per session and participant, sent one at a time in order, each with
 * the command id it got when written.
 *
 * Sending happens only while connected, and only once the view is up to date with the current
 * connection (`synced`: the server always answers a (re)connect with a view or patch). Socket.IO
 * would buffer an emit made while disconnected and send it by itself on reconnect; that copy
 * would race the outbox's own resend and bypass its rules (order, "has the round moved on?").
 * So nothing is emitted while offline: the outbox holds it and flushes when the connection is
 * back, in order. If Socket.IO still buffers a send (the link died unnoticed), that copy has the
 * same cid and the server applies it once.
 */
export function OutboxProvider({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { view, seq, socket, synced, status } = useSession();
  const key = box.outboxKey(view.code, view.me.participantId ?? view.me.role);
  const [state, setState] = useState<box.OutboxState>(() => box.loadOutbox(localStorage, key));
  const stateRef = useRef(state);
  const viewRef = useRef(view);
  viewRef.current = view;
  const syncedRef = useRef(synced);
  syncedRef.current = synced;
  const backoffUntil = useRef(0);
  const retryTimer = useRef<number | undefined>(undefined);
  const live = useRef(true);

  const apply = useCallback(
    (change: (s: box.OutboxState) => box.OutboxState) => {
      const next = change(stateRef.current);
      if (next === stateRef.current) return;
      stateRef.current = next;
      box.saveOutbox(localStorage, key, next);
      setState(next);
    },
    [key],
  );

  const pump = useCallback(() => {
    for (;;) {
      if (!live.current || !socket.connected || !syncedRef.current) return;
      if (Date.now() < backoffUntil.current) return; // the retry timer pumps again
      const entry = box.nextToSend(stateRef.current);
      if (!entry) return;
      const current = viewRef.current;
      if (entry.focusId !== current.focusId) {
        // Written for a challenge that is no longer in focus: sending it now would post it on
        // another person's challenge. If an earlier send got through, the view shows it.
        apply((s) => (entry.attempt > 0 && alreadyApplied(current, entry) ? box.resolve(s, entry.cid) : box.fail(s, entry.cid, 'MOVED_ON')));
        continue;
      }
      apply((s) => box.markSending(s, entry.cid));
      const attempt = entry.attempt + 1;
      emitCommand(socket, entry.name, { cid: entry.cid, ...entry.payload })
        .then(
          (ack): box.SendResult => (ack.ok ? { ok: true, seq: ack.seq } : { ok: false, code: toErrorCode(ack.code) }),
          (): box.SendResult => ({ ok: false, lost: true }),
        )
        .then((result) => {
          if (!live.current) return;
          apply((s) => box.settle(s, entry.cid, attempt, result));
          const transient = !result.ok && !('code' in result && !box.isTransient(result.code));
          if (transient && socket.connected) {
            // Busy server or a lost ack on a live connection: wait a jittered while. (A dropped
            // connection needs no timer: the next sync pumps at once.)
            const delay = box.retryDelay(attempt);
            backoffUntil.current = Date.now() + delay;
            window.clearTimeout(retryTimer.current);
            retryTimer.current = window.setTimeout(pump, delay);
          }
          pump();
        });
      return;
    }
  }, [socket, apply]);

  // A fresh connection that has caught up: send what is waiting now, without the back-off.
  useEffect(() => {
    if (!synced) return;
    backoffUntil.current = 0;
    pump();
  }, [synced, pump]);
  useEffect(() => {
    pump();
  }, [state, view.focusId, pump]);
  // Acknowledged entries stay on screen until the view shows the item they created.
  useEffect(() => {
    apply((s) => box.prune(s, seq));
  }, [seq, state, apply]);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
      window.clearTimeout(retryTimer.current);
    };
  }, []);

  // One polite live region tells screen readers what happens to each entry.
  const [announcement, setAnnouncement] = useState('');
  const seen = useRef(new Map(state.entries.map((e) => [e.cid, e.status] as const)));
  useEffect(() => {
    const messages: string[] = [];
    const now = new Map<string, box.OutboxStatus>();
    for (const e of state.entries) {
      now.set(e.cid, e.status);
      const before = seen.current.get(e.cid);
      const text = entryText(e).slice(0, 140);
      if (before === undefined) messages.push(t('outbox.announceQueued', { text }));
      else if (e.status === 'acked' && before !== 'acked') messages.push(t('outbox.announceSent', { text }));
      else if (e.status === 'failed' && before !== 'failed') messages.push(t('outbox.announceFailed', { text }));
    }
    seen.current = now;
    if (messages.length) setAnnouncement(messages.join(' '));
  }, [state, t]);

  // Not confirmed after a few seconds: shown on the item and said once.
  const firstSeen = useRef(new Map<string, number>());
  const [slow, setSlow] = useState<ReadonlySet<string>>(() => new Set());
  const statusRef = useRef(status);
  statusRef.current = status;
  useEffect(() => {
    const waiting = state.entries.filter((e) => (e.status === 'queued' || e.status === 'sending') && !slow.has(e.cid));
    const start = Date.now();
    for (const e of waiting) if (!firstSeen.current.has(e.cid)) firstSeen.current.set(e.cid, start);
    if (waiting.length === 0) return;
    const due = Math.min(...waiting.map((e) => firstSeen.current.get(e.cid)! + SLOW_MS));
    const timer = window.setTimeout(() => {
      const now = Date.now();
      const late = waiting.filter((e) => firstSeen.current.get(e.cid)! + SLOW_MS <= now).map((e) => e.cid);
      if (late.length === 0) return;
      setSlow(new Set([...slow, ...late]));
      setAnnouncement(statusRef.current === 'online' ? t('outbox.slowOnline') : t('outbox.slowOffline'));
    }, Math.max(0, due - start));
    return () => window.clearTimeout(timer);
  }, [state, slow, t]);

  const add = useCallback(
    (name: box.OutboxCommand, payload: Record<string, unknown>) => {
      apply((s) => box.enqueue(s, { cid: nanoid(), name, payload, focusId: viewRef.current.focusId, createdAt: Date.now() }));
    },
    [apply],
  );
  const dismiss = useCallback((cid: string) => apply((s) => box.dismiss(s, cid)), [apply]);
  const api = useMemo(() => ({ state, add, dismiss, slow }), [state, add, dismiss, slow]);

  return (
    <OutboxContext.Provider value={api}>
      {children}
      <div className="sr-only" aria-live="polite" aria-atomic="true" data-testid="outbox-announcer">
        {announcement}
      </div>
    </OutboxContext.Provider>
  );
}
