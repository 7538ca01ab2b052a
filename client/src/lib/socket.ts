import { io, type Socket } from 'socket.io-client';
import { RECONNECTION, type ClientToServerEvents, type ServerToClientEvents, type SocketAuth } from '@kollegium/shared';

export type KollegiumSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * One Socket.IO connection on this origin. The handshake is computed at every (re)connect, so it
 * can carry the last version seen; reconnection backs off with jitter (RECONNECTION).
 */
export function connectSession(auth: () => SocketAuth): KollegiumSocket {
  return io({
    auth: (cb) => cb(auth()),
    reconnection: true,
    ...RECONNECTION,
  });
}
