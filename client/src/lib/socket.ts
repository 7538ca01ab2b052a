import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SocketAuth } from '@kollegium/shared';

export type KollegiumSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * One Socket.IO connection on this origin. The handshake is computed at every (re)connect, so it
 * can carry the last version seen.
 *
 * Reconnection tries after ~0.5, 1 and 2 s, then every 2.5 s, each delay ±50% at random: a restart
 * takes a second or two and a round is live, so people are back within ~2.5 s of the server rather
 * than on a retry 10–15 s later. The jitter spreads a room of phones (thousands, after a restart)
 * over the interval instead of bringing them back in lockstep; past the cap each client keeps the
 * offset its earlier random delays gave it. During an outage that is one refused connection per
 * client every 2.5 s, which a server or a proxy answers cheaply.
 */
export function connectSession(auth: () => SocketAuth): KollegiumSocket {
  return io({
    auth: (cb) => cb(auth()),
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 2500,
    randomizationFactor: 0.5,
    timeout: 10_000,
  });
}
