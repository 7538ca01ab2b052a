import { patchWithBasis, viewWithBasis, type ViewBasis, type ViewMessage, type ViewPatch } from '@kollegium/shared';
import type { LiveSession } from '../sessions/session.js';
import { roomOf, type IoServer, type IoSocket } from './types.js';

/** One message and the sockets it goes to. */
interface Outgoing {
  message: ViewMessage | ViewPatch;
  sockets: IoSocket[];
}

/**
 * Sends every socket of a session in this process what its role may see: a patch against the
 * version it already has, or the whole view when that version is unknown or too old.
 */
export class Broadcaster {
  /**
   * What each socket was last sent (see ViewBasis), by socket id, so a patch carries only what
   * changed. Kept here rather than in `socket.data`, which the cluster adapter ships to other
   * processes whenever they ask who is connected.
   */
  private bases = new Map<string, ViewBasis>();

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

  /** A socket is gone: forget what it was sent. */
  forget(socket: IoSocket): void {
    this.bases.delete(socket.id);
  }

  /** Ends every connection of a session that no longer exists. */
  close(code: string, message: string): void {
    for (const socket of this.socketsOf(code)) {
      socket.emit('session:closed', { code: 'NOT_FOUND', message });
      socket.disconnect(true);
    }
  }

  /**
   * Brings one socket up to date (on connect, and when it asks): from version `lastSeq` when it
   * says which version it has, whatever it was sent before.
   */
  sync(session: LiveSession, socket: IoSocket, lastSeq?: number | null): void {
    if (lastSeq !== undefined) {
      socket.data.seq = lastSeq;
      this.bases.delete(socket.id);
    }
    this.send(session, [socket]);
  }

  /** Everyone in the session. */
  publish(session: LiveSession): void {
    const removed = new Set(session.state.context.participants.filter((p) => p.removed).map((p) => p.id));
    const sockets: IoSocket[] = [];
    for (const socket of this.socketsOf(session.code)) {
      const { viewer } = socket.data;
      if (viewer.role === 'participant' && removed.has(viewer.participantId)) {
        // Removed by the facilitator: nothing more reaches this device, and its token is dead.
        socket.emit('session:closed', { code: 'UNAUTHORIZED', message: 'The facilitator removed you from this session.' });
        socket.disconnect(true);
      } else {
        sockets.push(socket);
      }
    }
    this.send(session, sockets);
  }

  /**
   * Each socket gets a patch from its version (or the whole view). Sockets whose patches are
   * certain to be alike (most participants see a new contribution the same way) get one message,
   * encoded once and written to all of them.
   */
  private send(session: LiveSession, sockets: IoSocket[]): void {
    const online = this.online(session.code);
    const serverNow = this.now();
    const alike = new Map<string, Outgoing>();
    const apart: Outgoing[] = [];
    for (const socket of sockets) {
      const { viewer, seq: base } = socket.data;
      const prev = base === null ? undefined : session.stateAt(base);
      if (!prev || base === null) {
        const { view, basis } = viewWithBasis(session.state, viewer, online);
        apart.push({ message: { seq: session.seq, serverNow, view }, sockets: [socket] });
        this.bases.set(socket.id, basis);
        continue;
      }
      const { patch, basis, key } = patchWithBasis(prev, session.state, viewer, online, this.bases.get(socket.id));
      this.bases.set(socket.id, basis);
      const group = key === null ? undefined : alike.get(key);
      if (group) {
        group.sockets.push(socket);
        continue;
      }
      const out: Outgoing = { message: { seq: session.seq, base, serverNow, ...patch }, sockets: [socket] };
      if (key === null) apart.push(out);
      else alike.set(key, out);
    }
    for (const { message, sockets: to } of [...alike.values(), ...apart]) {
      for (const socket of to) socket.data.seq = message.seq;
      if (!('base' in message)) for (const socket of to) socket.emit('session:view', message);
      else if (to.length === 1) to[0]!.emit('session:patch', message);
      else this.io.local.to(to.map((s) => s.id)).emit('session:patch', message);
    }
  }
}
