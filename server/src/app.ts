import { createServer, type Server as HttpServer } from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import { Server, type ServerOptions } from 'socket.io';
import { LIMITS } from '@kollegium/shared';
import { apiRouter } from './http/api.js';
import { joinRateLimit, originAllowed, requireSameOrigin, securityHeaders } from './http/security.js';
import type { Logger } from './logger.js';
import { authenticate } from './realtime/auth.js';
import { Broadcaster } from './realtime/broadcast.js';
import { commandHandling } from './realtime/commands.js';
import { roomOf, type IoServer } from './realtime/types.js';
import { Sessions } from './sessions/sessions.js';
import type { SessionStore } from './sessions/store.js';

export interface AppDeps {
  store: SessionStore;
  logger: Logger;
  now?: () => number;
  /** Built client to serve; skipped when absent (API-only tests). */
  clientDir?: string;
  security?: Partial<SecurityOptions>;
  /** A Socket.IO adapter shared by several processes (Redis Streams); none for one process. */
  adapter?: ServerOptions['adapter'];
}

export interface SecurityOptions {
  /** Origin browsers must come from; null = the same host the request was sent to. */
  publicOrigin: string | null;
  trustProxy: boolean | number | string;
  joinPerMinute: number;
  commandsPer10s: number;
}

/**
 * Presence of one session is published at most once per this window (see presenceChanged). While
 * rooms reconnect, each publish is a patch written to every screen in the room; arrivals spread
 * over seconds, so a window much shorter than that saves little.
 */
const PRESENCE_WINDOW_MS = 1000;

const DEFAULT_SECURITY: SecurityOptions = { publicOrigin: null, trustProxy: false, joinPerMinute: 120, commandsPer10s: 50 };

export interface App {
  httpServer: HttpServer;
  io: IoServer;
  sessions: Sessions;
  close(): Promise<void>;
}

/** Builds the whole server from its dependencies; `listen` is left to the caller. */
export function createApplication({ store, logger, now = Date.now, clientDir, security, adapter }: AppDeps): App {
  const options = { ...DEFAULT_SECURITY, ...security };
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy);
  app.use(securityHeaders());
  const httpServer = createServer(app);
  const sessions = new Sessions(store, now, logger);

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use('/api', requireSameOrigin(options.publicOrigin), apiRouter(sessions, logger, joinRateLimit(options.joinPerMinute)));

  if (clientDir && fs.existsSync(path.join(clientDir, 'index.html'))) {
    app.use(express.static(clientDir, { index: false, maxAge: '1h' }));
    // Client-side routes (/join/…, /s/…, /facilitate/…, /board/…) all load the app shell.
    app.get('/{*path}', (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(clientDir, 'index.html'));
    });
  } else if (clientDir) {
    logger.warn({ clientDir }, 'no built client found; run `npm run build` to serve the UI');
  }

  const io: IoServer = new Server(httpServer, {
    maxHttpBufferSize: LIMITS.messageBytes,
    serveClient: false,
    // Checked for polling and WebSocket alike; the `cors` option alone would not stop a WebSocket.
    allowRequest: (req, callback) => callback(null, originAllowed(req, options.publicOrigin)),
    ...(adapter
      ? {
          adapter,
          // Best effort only: a reconnecting client catches up from its own version anyway.
          connectionStateRecovery: { maxDisconnectionDuration: 60_000, skipMiddlewares: false },
        }
      : {}),
  });
  const broadcaster = new Broadcaster(io, now);
  const closed = 'This session was deleted.';
  sessions.onLocalChange = (session) => broadcaster.publish(session);
  sessions.onLocalDelete = (code) => broadcaster.close(code, closed);
  sessions.onChange = (session) => {
    broadcaster.publish(session);
    if (adapter) io.serverSideEmit('session:changed', session.code, session.seq);
  };
  sessions.onDelete = (code) => {
    broadcaster.close(code, closed);
    if (adapter) io.serverSideEmit('session:deleted', code);
  };
  if (adapter) {
    io.on('session:changed', (code, seq) => {
      sessions.changedElsewhere(code, seq).catch((err) => logger.error({ err, session: code }, 'catching up failed'));
    });
    io.on('session:deleted', (code) => void sessions.deletedElsewhere(code));
    io.on('session:presence', (code) => presenceChanged(code, false));
  }

  /**
   * Participants came or went: everyone's online list changes (across processes when clustered).
   * One publish per session at most every PRESENCE_WINDOW_MS: the first change goes out at once,
   * changes during the window after it go out together at its end, with the list as it is then.
   * When a whole room reconnects at once (a restart, the venue's Wi-Fi), one publish per arrival
   * would send every screen every arrival: n² patches per room.
   */
  const presenceHeld = new Map<string, { changed: boolean; here: boolean; timer: NodeJS.Timeout }>();
  let shuttingDown = false;
  const presenceChanged = (code: string, here: boolean) => {
    // Closing disconnects everyone: nobody is left to tell.
    if (shuttingDown) return;
    const held = presenceHeld.get(code);
    if (held) {
      held.changed = true;
      held.here ||= here;
      return;
    }
    void publishPresence(code, here);
    const timer = setTimeout(() => {
      const { changed, here } = presenceHeld.get(code)!;
      presenceHeld.delete(code);
      if (changed) presenceChanged(code, here);
    }, PRESENCE_WINDOW_MS);
    presenceHeld.set(code, { changed: false, here: false, timer });
  };
  const publishPresence = async (code: string, here: boolean) => {
    try {
      if (adapter) {
        if (here) io.serverSideEmit('session:presence', code);
        await broadcaster.refreshPresence(code);
      }
      const session = await sessions.get(code);
      if (session) broadcaster.publish(session);
    } catch (err) {
      logger.warn({ err, session: code }, 'presence update failed');
    }
  };

  io.use(authenticate(sessions));
  const registerCommands = commandHandling({ sessions, broadcaster, logger, now, commandsPer10s: options.commandsPer10s });
  io.on('connection', async (socket) => {
    const { code, viewer } = socket.data;
    registerCommands(socket);
    socket.on('disconnect', () => {
      broadcaster.forget(socket);
      if (viewer.role === 'participant') presenceChanged(code, true);
    });
    await socket.join(roomOf(code));
    const session = await sessions.get(code);
    if (!session) return void socket.disconnect(true);
    // The client may come from a process that wrote and died before telling us.
    if (adapter) await sessions.changedElsewhere(code);
    // Gone while we looked the session up: nothing to send, and nobody arrived.
    if (socket.disconnected) return;
    logger.info({ session: code, role: viewer.role }, 'connected');
    // The newcomer catches up; a participant's arrival changes everyone's online list.
    broadcaster.sync(session, socket);
    if (viewer.role === 'participant') presenceChanged(code, true);
  });

  return {
    httpServer,
    io,
    sessions,
    async close() {
      shuttingDown = true;
      for (const { timer } of presenceHeld.values()) clearTimeout(timer);
      presenceHeld.clear();
      await sessions.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await store.close();
    },
  };
}
