import { SocketAuth, describeIssues } from '@kollegium/shared';
import { DomainError } from '../errors.js';
import type { Sessions } from '../sessions/sessions.js';
import type { IoSocket } from './types.js';

/**
 * Handshake middleware: who a socket is comes from its verified secret, once, here. Commands
 * later read `socket.data`, never anything the payload claims.
 */
export function authenticate(sessions: Sessions) {
  return async (socket: IoSocket, next: (err?: Error) => void) => {
    try {
      const auth = SocketAuth.safeParse(withoutRecoveryFields(socket.handshake.auth));
      if (!auth.success) throw new DomainError('UNAUTHORIZED', `Bad handshake: ${describeIssues(auth.error)}`);
      const { code } = auth.data;
      const session = await sessions.get(code);
      if (!session) throw new DomainError('NOT_FOUND', 'No session has this code.');
      if (auth.data.role === 'participant') {
        const participantId = await sessions.participantFor(code, auth.data.token);
        if (!participantId) throw new DomainError('UNAUTHORIZED', 'This device is not (or no longer) a participant here.');
        socket.data = { code, viewer: { role: 'participant', participantId }, seq: auth.data.lastSeq ?? null };
      } else {
        if (!sessions.keyMatches(session, auth.data.role, auth.data.key))
          throw new DomainError('UNAUTHORIZED', 'This link is not valid for this session.');
        socket.data = { code, viewer: { role: auth.data.role }, seq: auth.data.lastSeq ?? null };
      }
      next();
    } catch (error) {
      const err = new Error(error instanceof DomainError ? error.message : 'Could not connect.') as Error & {
        data?: unknown;
      };
      err.data = { code: error instanceof DomainError ? error.code : 'INTERNAL', message: err.message };
      next(err);
    }
  };
}

/**
 * With connection state recovery (several processes, see app.ts) Socket.IO's client adds its
 * own `pid` and `offset` to the auth of every reconnect; they are Socket.IO's, not ours.
 */
function withoutRecoveryFields(auth: unknown): unknown {
  if (!auth || typeof auth !== 'object') return auth;
  const { pid: _pid, offset: _offset, ...rest } = auth as Record<string, unknown>;
  return rest;
}
