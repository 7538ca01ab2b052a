import { patchFor, viewFor, type Viewer, type ViewMessage, type ViewPatch } from '@kollegium/shared';
import type { LiveSession } from '../sessions/session.js';
import { roomOf, type IoServer, type IoSocket } from './types.js';

const viewerKey = (viewer: Viewer) => (viewer.role === 'participant' ? `p:${viewer.participantId}` : viewer.role);

/**
 * Sends every socket of a session in this process what its role may see: a patch against the
 * version it already has, or the whole view when that version is unknown or too old.
 */
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

  /** Participants connected to other processes, per session (cluster only; refreshed on change). */
  private remote = new Map<string, Set<string>>();

  online(code: string): Set<string> {
    const ids = new Set(this.remote.get(code));
    for (const socket of this.socketsOf(code)) {
      if (socket.data.viewer.role === 'participant') ids.add(socket.data.viewer.participantId);
    }
    return ids;
  }

  /**
   * Asks every process who is connected to a session (through the adapter) and keeps the
   * participants on other processes, so every screen shows the same people online.
   */
  async refreshPresence(code: string): Promise<void> {
    const local = new Set(this.socketsOf(code).map((s) => s.id));
    const ids = new Set<string>();
    for (const socket of await this.io.in(roomOf(code)).fetchSockets()) {
      if (!local.has(socket.id) && socket.data.viewer?.role === 'participant') ids.add(socket.data.viewer.participantId);
    }
    if (ids.size) this.remote.set(code, ids);
    else this.remote.delete(code);
  }

  private message(session: LiveSession, viewer: Viewer, base: number | null, online: Set<string>): ViewMessage | ViewPatch {
    const serverNow = this.now();
    const prev = base === null ? undefined : session.stateAt(base);
    if (prev && base !== null) {
      return { seq: session.seq, base, serverNow, ...patchFor(prev, session.state, viewer, online) };
    }
    return { seq: session.seq, serverNow, view: viewFor(session.state, viewer, online) };
  }

  private deliver(socket: IoSocket, message: ViewMessage | ViewPatch): void {
    if ('base' in message) socket.emit('session:patch', message);
    else socket.emit('session:view', message);
    socket.data.seq = message.seq;
  }

  /** Ends every connection of a session that no longer exists. */
  close(code: string, message: string): void {
    for (const socket of this.socketsOf(code)) {
      socket.emit('session:closed', { code: 'NOT_FOUND', message });
      socket.disconnect(true);
    }
  }

  /** Brings one socket up to date (on connect and on request). */
  sync(session: LiveSession, socket: IoSocket): void {
    this.deliver(socket, this.message(session, socket.data.viewer, socket.data.seq, this.online(session.code)));
  }

  /** Everyone in the session, each message computed once per distinct viewer and base version. */
  publish(session: LiveSession): void {
    const sockets = this.socketsOf(session.code);
    const online = this.online(session.code);
    const cache = new Map<string, ViewMessage | ViewPatch>();
    const removed = new Set(session.state.context.participants.filter((p) => p.removed).map((p) => p.id));
    for (const socket of sockets) {
      const { viewer } = socket.data;
      if (viewer.role === 'participant' && removed.has(viewer.participantId)) {
        // Removed by the facilitator: nothing more reaches this device, and its token is dead.
        socket.emit('session:closed', { code: 'UNAUTHORIZED', message: 'The facilitator removed you from this session.' });
        socket.disconnect(true);
        continue;
      }
      const key = `${viewerKey(viewer)}@${socket.data.seq}`;
      let message = cache.get(key);
      if (!message) {
        message = this.message(session, viewer, socket.data.seq, online);
        cache.set(key, message);
      }
      this.deliver(socket, message);
    }
  }
}
