import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, Viewer } from '@kollegium/shared';

export interface SocketData {
  code: string;
  viewer: Viewer;
  /** The version this socket's view is at: the base of the next patch it gets. */
  seq: number | null;
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export const roomOf = (code: string) => `session:${code}`;
