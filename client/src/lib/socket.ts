import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SocketAuth } from '@kollegium/shared';

export type KollegiumSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * One Socket.IO connection on this origin. The handshake is computed at every (re)connect, so it
 * can carry the last version seen. Reconnection backs off with jitter (randomizationFactor 0.5)
 * so a room full of phones does not reconnect in lockstep after a server restart or a Wi-Fi drop.
 */
export function connectSession(auth: () => SocketAuth): KollegiumSocket {
  return io({
    auth: (cb) => cb(auth()),
    reconnection: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10_000,
    randomizationFactor: 0.5,
    timeout: 10_000,
  });
}
