import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, Viewer } from '@kollegium/shared';

export interface SocketData {
  code: string;
  viewer: Viewer;
  /** The version this socket's view is at: the base of the next patch it gets. */
  seq: number | null;
}

/** Between server processes (through the cluster adapter): which session moved on, or is gone. */
export interface InterServerEvents {
  'session:changed': (code: string, seq: number) => void;
  'session:deleted': (code: string) => void;
  /** Someone connected to or left a session on the sending process. */
  'session:presence': (code: string) => void;
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export const roomOf = (code: string) => `session:${code}`;
