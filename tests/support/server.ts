import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApplication, createLogger, MemoryStore, type App, type AppDeps, type SessionStore } from '@kollegium/server';

export const CLIENT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../client/dist');

export interface TestServer {
  app: App;
  url: string;
  close(): Promise<void>;
}

/** The real server on an ephemeral loopback port. */
export async function startServer(
  options: { store?: SessionStore; serveClient?: boolean; security?: AppDeps['security'] } = {},
): Promise<TestServer> {
  const app = createApplication({
    security: options.security,
    store: options.store ?? new MemoryStore(),
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    clientDir: options.serveClient ? CLIENT_DIR : undefined,
  });
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = app.httpServer.address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
