import { useCallback, useEffect, useRef, useState } from 'react';
import { nanoid } from 'nanoid';
import type { CommandAck, CommandInput, CommandName } from '@kollegium/shared';
import { useSession, type SessionContextValue } from './session';
import { isTransient, toErrorCode, type AnyErrorCode } from './errors';

type Payload<N extends CommandName> = Omit<CommandInput<N>, 'cid'>;

/** How long a command may wait for its ack before the page says it is not confirmed yet. */
export const SLOW_MS = 4000;
/** How long to wait for an ack at all. */
export const ACK_TIMEOUT_MS = 8000;

export interface Action {
  pending: boolean;
  /** Pending for more than `SLOW_MS` without an answer. */
  slow: boolean;
  error: AnyErrorCode | null;
  /**
   * Sends one command; resolves true when the server applied it. A command repeated after a
   * failure whose outcome is unknown (time-out, lost connection, busy server) keeps its command
   * id, so if the first try did arrive after all, the server answers it again instead of applying
   * it twice. After a success or a definite refusal, the next command gets a fresh id.
   */
  run: <N extends CommandName>(name: N, payload: Payload<N>) => Promise<boolean>;
  /** The last command failed in a way worth trying again (same command id). */
  canRetry: boolean;
  retry: () => Promise<boolean>;
  clearError: () => void;
}

/** Failures after which we do not know whether the server applied the command. */
const UNSURE: readonly AnyErrorCode[] = ['TIMEOUT', 'OFFLINE'];

interface Unresolved {
  name: CommandName;
  payload: object;
  key: string;
  cid: string;
}

/**
 * Emits a command with its ack and a time-out. Only called while connected: Socket.IO would
 * otherwise hold the emit in its send buffer and deliver it on reconnect, long after the page
 * told the person it failed — a second, invisible copy of the retry. (Should Socket.IO still
 * buffer one, e.g. right after a missed ping, both copies carry the same cid and the server
 * applies it once.) A dropped connection rejects the pending ack at once.
 */
export function emitCommand(socket: SessionContextValue['socket'], name: CommandName, payload: object): Promise<CommandAck> {
  // The typed overloads do not resolve for a generic event name; callers type the payload.
  const timed = socket.timeout(ACK_TIMEOUT_MS) as unknown as {
    emitWithAck(event: CommandName, payload: object): Promise<CommandAck>;
  };
  return timed.emitWithAck(name, payload);
}

/** One user action (usually one button): its pending state and the last refusal, translated by code. */
export function useAction(): Action {
  const { socket } = useSession();
  const [pending, setPending] = useState(false);
  const [slow, setSlow] = useState(false);
  const [error, setError] = useState<AnyErrorCode | null>(null);
  const [canRetry, setCanRetry] = useState(false);
  const inFlight = useRef(false);
  const unresolved = useRef<Unresolved | null>(null);
  const slowTimer = useRef<number | undefined>(undefined);

  useEffect(() => () => window.clearTimeout(slowTimer.current), []);

  const run = useCallback(
    async <N extends CommandName>(name: N, payload: Payload<N>): Promise<boolean> => {
      if (inFlight.current) return false;
      const key = `${name} ${JSON.stringify(payload)}`;
      const last = unresolved.current;
      const cid = last && last.key === key ? last.cid : nanoid();
      const remember = () => {
        unresolved.current = { name, payload, key, cid };
        setCanRetry(true);
      };
      const settle = () => {
        unresolved.current = null;
        setCanRetry(false);
      };
      if (!socket.connected) {
        // Not emitted (see emitCommand): say so now, and keep the cid for the retry.
        remember();
        setError('OFFLINE');
        return false;
      }
      inFlight.current = true;
      setPending(true);
      setSlow(false);
      setError(null);
      slowTimer.current = window.setTimeout(() => setSlow(true), SLOW_MS);
      try {
        const ack = await emitCommand(socket, name, { cid, ...payload });
        if (ack.ok) {
          settle();
          return true;
        }
        const code = toErrorCode(ack.code);
        if (isTransient(code)) remember();
        else settle();
        setError(code);
        return false;
      } catch {
        remember();
        setError('TIMEOUT');
        return false;
      } finally {
        window.clearTimeout(slowTimer.current);
        inFlight.current = false;
        setPending(false);
        setSlow(false);
      }
    },
    [socket],
  );

  const retry = useCallback(async () => {
    const last = unresolved.current;
    if (!last) return false;
    return run(last.name, last.payload as Payload<typeof last.name>);
  }, [run]);

  const clearError = useCallback(() => {
    setError(null);
  }, []);
  return { pending, slow, error, run, canRetry: canRetry && error !== null && (UNSURE.includes(error) || isTransient(error)), retry, clearError };
}
