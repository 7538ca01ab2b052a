import { viewFor, type Viewer, type ViewMessage } from '@kollegium/shared';
import type { LiveSession } from '../sessions/session.js';
import { roomOf, type IoServer, type IoSocket } from './types.js';

const viewerKey = (viewer: Viewer) => (viewer.role === 'participant' ? `p:${viewer.participantId}` : viewer.role);

/** Sends every socket of a session in this process the view its role may see. */
export class Broadcaster {
  constructor(
    private readonly io: IoServer,
    private readonly now: () => number,
  ) {}

  private socketsOf(code: string): IoSocket[] {
    const ids = this.io.sockets.adapter.rooms.get(roomOf(code));
    if (!ids) return [];
    return [...ids].map((id) => this.io.sockets.sockets.get(id)).filter((s): s is IoSocket => s !== undefined);
  }

  online(code: string): Set<string> {
    const ids = new Set<string>();
    for (const socket of this.socketsOf(code)) {
      if (socket.data.viewer.role === 'participant') ids.add(socket.data.viewer.participantId);
    }
    return ids;
  }

  messageFor(session: LiveSession, viewer: Viewer, online = this.online(session.code)): ViewMessage {
    return { seq: session.seq, serverNow: this.now(), view: viewFor(session.state, viewer, online) };
  }

  /** One view per distinct viewer (a person on two devices gets the same one), computed once. */
  publish(session: LiveSession): void {
    const sockets = this.socketsOf(session.code);
    const online = this.online(session.code);
    const cache = new Map<string, ViewMessage>();
    for (const socket of sockets) {
      const key = viewerKey(socket.data.viewer);
      let message = cache.get(key);
      if (!message) {
        message = this.messageFor(session, socket.data.viewer, online);
        cache.set(key, message);
      }
      socket.emit('session:view', message);
    }
  }
}
