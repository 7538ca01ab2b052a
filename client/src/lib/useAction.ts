import { useCallback, useEffect, useRef, useState } from 'react';
import { nanoid } from 'nanoid';
import type { CommandAck, CommandInput, CommandName } from '@kollegium/shared';
import { useSession } from './session';
import { toErrorCode, type AnyErrorCode } from './errors';

type Payload<N extends CommandName> = Omit<CommandInput<N>, 'cid'>;

export interface Action {
  pending: boolean;
  error: AnyErrorCode | null;
  /** Sends one command with a fresh command id; resolves true when the server applied it. */
  run: <N extends CommandName>(name: N, payload: Payload<N>) => Promise<boolean>;
  clearError: () => void;
}

/** One user action (usually one button): its pending state and the last refusal, translated by code. */
export function useAction(): Action {
  const { socket, status } = useSession();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<AnyErrorCode | null>(null);
  const inFlight = useRef(false);

  // "You are offline" stops being true once the connection is back.
  useEffect(() => {
    if (status === 'online') setError((e) => (e === 'OFFLINE' ? null : e));
  }, [status]);

  const run = useCallback(
    async <N extends CommandName>(name: N, payload: Payload<N>): Promise<boolean> => {
      if (inFlight.current) return false;
      if (!socket.connected) {
        // Buffered emits would land after the user has given up on them: say so now instead.
        setError('OFFLINE');
        return false;
      }
      inFlight.current = true;
      setPending(true);
      setError(null);
      try {
        // The typed overloads do not resolve for a generic event name; the payload type is checked above.
        const timed = socket.timeout(8000) as unknown as {
          emitWithAck(event: CommandName, payload: object): Promise<CommandAck>;
        };
        const ack = await timed.emitWithAck(name, { cid: nanoid(), ...payload });
        if (ack.ok) return true;
        setError(toErrorCode(ack.code));
        return false;
      } catch {
        setError('TIMEOUT');
        return false;
      } finally {
        inFlight.current = false;
        setPending(false);
      }
    },
    [socket],
  );

  const clearError = useCallback(() => setError(null), []);
  return { pending, error, run, clearError };
}
