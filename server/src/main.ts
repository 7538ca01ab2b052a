import { createApplication } from './app.js';
import { loadConfig, trustProxy } from './config.js';
import { createLogger } from './logger.js';
import { redisAdapter } from './cluster.js';
import { openStore } from './storage/index.js';

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL);

const store = await openStore({
  databaseUrl: config.DATABASE_URL,
  schema: config.DATABASE_SCHEMA,
  dataDir: config.DATA_DIR,
  onError: (err) => logger.error({ err }, 'database connection error'),
}).catch((err: Error) => {
  logger.fatal({ err: err.message }, 'could not open the database');
  process.exit(1);
});
logger.info(config.DATABASE_URL ? { database: 'postgres' } : { database: 'pglite', dataDir: config.DATA_DIR }, 'database ready');

if (config.REDIS_URL && !config.DATABASE_URL) {
  logger.fatal('REDIS_URL (several processes) needs DATABASE_URL: the embedded database serves one process only');
  process.exit(1);
}
const cluster = config.REDIS_URL ? await redisAdapter(config.REDIS_URL, logger) : null;

const app = createApplication({
  store,
  adapter: cluster?.adapter,
  logger,
  clientDir: config.CLIENT_DIR,
  security: {
    publicOrigin: config.PUBLIC_URL ? new URL(config.PUBLIC_URL).origin : null,
    trustProxy: trustProxy(config.TRUST_PROXY),
    joinPerMinute: config.JOIN_RATE_LIMIT,
    commandsPer10s: config.COMMAND_RATE_LIMIT,
  },
});

// Retention: sessions without activity for RETENTION_DAYS are deleted with all their data.
const HOUR = 3_600_000;
const expire = () => {
  if (config.RETENTION_DAYS > 0) {
    app.sessions.expire(Date.now() - config.RETENTION_DAYS * 24 * HOUR).catch((err) => logger.error({ err }, 'retention failed'));
  }
};
// The first sweep a minute after start: right after a restart the database serves reconnects.
const firstSweep = setTimeout(expire, 60_000).unref();
const retention = setInterval(expire, HOUR).unref();
// Database housekeeping (PGlite has no autovacuum), hourly and once soon after start.
const maintain = () => void store.maintain().catch((err) => logger.error({ err }, 'database maintenance failed'));
const firstMaintenance = setTimeout(maintain, 60_000).unref();
const maintenance = setInterval(maintain, HOUR).unref();

// After a restart every client reconnects within seconds, while the event loop is busy loading
// sessions: connections the kernel cannot queue for accept() are dropped and retried by TCP a
// second or more later. Node's default backlog is 511; the kernel caps this at net.core.somaxconn.
app.httpServer.listen({ port: config.PORT, host: config.HOST, backlog: 8192 }, () => {
  const address = app.httpServer.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info({ port }, `Kollegium is listening on http://localhost:${port}`);
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    clearTimeout(firstSweep);
    clearInterval(retention);
    clearTimeout(firstMaintenance);
    clearInterval(maintenance);
    logger.info({ signal }, 'shutting down');
    // Clients are disconnected and reconnect (to this server once it is back, or to another).
    app
      .close()
      .then(() => cluster?.close())
      .then(
        () => process.exit(0),
        (err) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  });
}
