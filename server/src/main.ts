import { createApplication } from './app.js';
import { loadConfig, trustProxy } from './config.js';
import { createLogger } from './logger.js';
import { MemoryStore } from './sessions/store.js';

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL);
const app = createApplication({
  store: new MemoryStore(),
  logger,
  clientDir: config.CLIENT_DIR,
  security: {
    publicOrigin: config.PUBLIC_URL ? new URL(config.PUBLIC_URL).origin : null,
    trustProxy: trustProxy(config.TRUST_PROXY),
    joinPerMinute: config.JOIN_RATE_LIMIT,
    commandsPer10s: config.COMMAND_RATE_LIMIT,
  },
});

app.httpServer.listen(config.PORT, config.HOST, () => {
  const address = app.httpServer.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info({ port }, `Kollegium is listening on http://localhost:${port}`);
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
