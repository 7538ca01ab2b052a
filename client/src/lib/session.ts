import { createContext, useContext, useEffect, useState } from 'react';
import { applyPatch, type RoleView, type SocketAuth } from '@kollegium/shared';
import { connectSession, type KollegiumSocket } from './socket';
import { roughSync, syncClock } from './clock';
import { isTransient, toErrorCode, type AnyErrorCode } from './errors';

export type ConnectionStatus = 'connecting' | 'online' | 'offline' | 'refused' | 'closed';

export interface SessionState {
  view: RoleView | null;
  seq: number;
  status: ConnectionStatus;
  /** Why the server refused or closed this connection. */
  errorCode: AnyErrorCode | null;
  /**
   * Online and the view is up to date with this connection: the first view or patch after the
   * latest (re)connect has arrived. Queued commands wait for this, so they are checked against
   * the round as it is now, not as it was before the connection dropped.
   */
  synced: boolean;
}

/**
 * Connects with the given handshake and keeps the current view: a full `session:view` replaces
 * it, a `session:patch` made against our version is applied to it, and a patch against any other
 * version makes us ask for a `session:sync` instead. Reconnects send the last version seen, so
 * the server can answer with just what was missed.
 */
export function useSessionConnection(auth: SocketAuth | null): SessionState & { socket: KollegiumSocket | null } {
  const [state, setState] = useState<SessionState>({ view: null, seq: -1, status: 'connecting', errorCode: null, synced: false });
  const [socket, setSocket] = useState<KollegiumSocket | null>(null);
  const authKey = auth ? JSON.stringify(auth) : null;

  useEffect(() => {
    if (!authKey) return;
    const base = JSON.parse(authKey) as SocketAuth;
    let view: RoleView | null = null;
    let lastSeq = -1;
    let closed = false;
    let syncing = false;
    let retry: number | undefined;
    let wake: number | undefined;

    const s = connectSession(() => (view && lastSeq >= 0 ? { ...base, lastSeq } : base));

    const publish = () => setState((st) => ({ ...st, view, seq: lastSeq, synced: s.connected }));
    const resync = () => {
      if (syncing || !s.connected) return;
      syncing = true;
      s.timeout(8000)
        .emitWithAck('session:sync', { lastSeq: view && lastSeq >= 0 ? lastSeq : null })
        .catch(() => undefined) // no answer: the next reconnect catches up anyway
        .finally(() => {
          syncing = false;
        });
    };

    s.on('session:view', (msg) => {
      if (msg.seq < lastSeq) return;
      view = msg.view;
      lastSeq = msg.seq;
      roughSync(msg.serverNow);
      publish();
    });
    s.on('session:patch', (patch) => {
      if (!view || patch.base !== lastSeq) {
        resync();
        return;
      }
      view = applyPatch(view, patch);
      lastSeq = patch.seq;
      roughSync(patch.serverNow);
      publish();
    });
    s.on('connect', () => {
      setState((st) => ({ ...st, status: 'online', errorCode: null, synced: false }));
      void syncClock(s);
    });
    s.on('disconnect', (reason) => {
      if (closed) return;
      setState((st) => ({ ...st, status: 'offline', synced: false }));
      // A server-side disconnect is not retried by socket.io itself.
      if (reason === 'io server disconnect') s.connect();
    });
    s.on('connect_error', (err) => {
      if (closed) return;
      if (s.active) {
        setState((st) => ({ ...st, status: 'offline' }));
        return;
      }
      const code = toErrorCode((err as Error & { data?: { code?: unknown } }).data?.code);
      if (isTransient(code)) {
        setState((st) => ({ ...st, status: 'offline' }));
        retry = window.setTimeout(() => s.connect(), 2000 + Math.random() * 3000);
        return;
      }
      setState((st) => ({ ...st, status: 'refused', errorCode: code }));
    });
    s.on('session:closed', (msg) => {
      closed = true;
      setState((st) => ({ ...st, status: 'closed', errorCode: toErrorCode(msg.code) }));
      s.disconnect();
    });
    // Back on the network (the browser says so): try now instead of waiting out the back-off,
    // after a random 0–1.5 s so phones on one Wi-Fi that comes back do not all arrive at once.
    // Socket.IO itself closes the connection on the browser's 'offline' event.
    const onOnline = () => {
      window.clearTimeout(wake);
      wake = window.setTimeout(() => {
        if (closed || s.connected) return;
        // A reconnect timer may be pending: stop it and open at once (the same socket, same handshake).
        s.disconnect();
        s.connect();
      }, Math.random() * 1500);
    };
    window.addEventListener('online', onOnline);
    setSocket(s);

    return () => {
      closed = true;
      window.removeEventListener('online', onOnline);
      window.clearTimeout(wake);
      window.clearTimeout(retry);
      s.removeAllListeners();
      s.disconnect();
      setSocket(null);
    };
  }, [authKey]);

  return { ...state, socket };
}

export interface SessionContextValue {
  view: RoleView;
  /** The version of `view`. */
  seq: number;
  socket: KollegiumSocket;
  status: ConnectionStatus;
  /** See `SessionState.synced`. */
  synced: boolean;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a connected session page');
  return value;
}
