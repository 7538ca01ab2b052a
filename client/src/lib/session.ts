import { createContext, useContext, useEffect, useState } from 'react';
import { applyPatch, type RoleView, type SocketAuth } from '@kollegium/shared';
import { connectSession, type KollegiumSocket } from './socket';
import { roughSync, syncClock } from './clock';
import { toErrorCode, type AnyErrorCode } from './errors';

export type ConnectionStatus = 'connecting' | 'online' | 'offline' | 'refused' | 'closed';

export interface SessionState {
  view: RoleView | null;
  seq: number;
  status: ConnectionStatus;
  /** Why the server refused or closed this connection. */
  errorCode: AnyErrorCode | null;
}

/** Refusals worth retrying by ourselves: the server is busy or briefly unwell, not saying no. */
const TRANSIENT: readonly AnyErrorCode[] = ['UNAVAILABLE', 'RATE_LIMITED', 'INTERNAL'];

/**
 * Connects with the given handshake and keeps the current view: a full `session:view` replaces
 * it, a `session:patch` made against our version is applied to it, and a patch against any other
 * version makes us ask for a `session:sync` instead. Reconnects send the last version seen, so
 * the server can answer with just what was missed.
 */
export function useSessionConnection(auth: SocketAuth | null): SessionState & { socket: KollegiumSocket | null } {
  const [state, setState] = useState<SessionState>({ view: null, seq: -1, status: 'connecting', errorCode: null });
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

    const s = connectSession(() => (view && lastSeq >= 0 ? { ...base, lastSeq } : base));

    const publish = () => setState((st) => ({ ...st, view, seq: lastSeq }));
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
      setState((st) => ({ ...st, status: 'online', errorCode: null }));
      void syncClock(s);
    });
    s.on('disconnect', (reason) => {
      if (closed) return;
      setState((st) => ({ ...st, status: 'offline' }));
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
      if (TRANSIENT.includes(code)) {
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
    setSocket(s);

    return () => {
      closed = true;
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
  socket: KollegiumSocket;
  status: ConnectionStatus;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a connected session page');
  return value;
}
