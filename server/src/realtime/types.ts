import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, Viewer } from '@kollegium/shared';

export interface SocketData {
  code: string;
  viewer: Viewer;
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export const roomOf = (code: string) => `session:${code}`;
