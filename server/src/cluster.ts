import type { ServerOptions } from 'socket.io';
import type { Logger } from './logger.js';

/**
 * The Redis Streams adapter: broadcasts and server-side events reach every process, and it
 * supports Socket.IO's connection state recovery.
 */
export async function redisAdapter(url: string, logger: Logger): Promise<{ adapter: ServerOptions['adapter']; close(): Promise<void> }> {
  // Loaded only here: the Redis client takes ~150 ms to load, which one process never needs.
  const [{ createAdapter }, { createClient }] = await Promise.all([import('@socket.io/redis-streams-adapter'), import('redis')]);
  const client = createClient({ url });
  client.on('error', (err) => logger.error({ err: err.message }, 'redis error'));
  await client.connect();
  return {
    adapter: createAdapter(client),
    close: async () => {
      await client.quit().catch(() => {});
    },
  };
}
