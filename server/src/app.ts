import { createServer, type Server as HttpServer } from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import { Server } from 'socket.io';
import { LIMITS } from '@kollegium/shared';
import { apiRouter } from './http/api.js';
import { joinRateLimit, originAllowed, requireSameOrigin, securityHeaders } from './http/security.js';
import type { Logger } from './logger.js';
import { authenticate } from './realtime/auth.js';
import { Broadcaster } from './realtime/broadcast.js';
import { registerCommands } from './realtime/commands.js';
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
}

export interface SecurityOptions {
  /** Origin browsers must come from; null = the same host the request was sent to. */
  publicOrigin: string | null;
  trustProxy: boolean | number | string;
  joinPerMinute: number;
  commandsPer10s: number;
}

const DEFAULT_SECURITY: SecurityOptions = { publicOrigin: null, trustProxy: false, joinPerMinute: 120, commandsPer10s: 50 };

export interface App {
  httpServer: HttpServer;
  io: IoServer;
  sessions: Sessions;
  close(): Promise<void>;
}

/** Builds the whole server from its dependencies; `listen` is left to the caller. */
export function createApplication({ store, logger, now = Date.now, clientDir, security }: AppDeps): App {
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
  });
  const broadcaster = new Broadcaster(io, now);
  sessions.onChange = (session) => broadcaster.publish(session);
  sessions.onDelete = (code) => broadcaster.close(code, 'This session was deleted.');

  io.use(authenticate(sessions));
  io.on('connection', async (socket) => {
    const { code, viewer } = socket.data;
    registerCommands(socket, { sessions, broadcaster, logger, now, commandsPer10s: options.commandsPer10s });
    await socket.join(roomOf(code));
    const session = await sessions.get(code);
    if (!session) return void socket.disconnect(true);
    logger.info({ session: code, role: viewer.role }, 'connected');
    // Presence changed for everyone; the newcomer catches up in the same pass.
    if (viewer.role === 'participant') broadcaster.publish(session);
    else broadcaster.sync(session, socket);
    socket.on('disconnect', () => {
      if (viewer.role === 'participant') broadcaster.publish(session);
    });
  });

  return {
    httpServer,
    io,
    sessions,
    async close() {
      await sessions.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await store.close();
    },
  };
}
