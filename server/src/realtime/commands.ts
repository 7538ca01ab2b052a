import {
  COMMANDS,
  COMMAND_ROLES,
  describeIssues,
  SyncRequest,
  isCommandName,
  roleAllows,
  type AckError,
  type Caller,
  type CommandAck,
  type CommandName,
  type RoundEvent,
} from '@kollegium/shared';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { DomainError, toAckError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { LiveSession } from '../sessions/session.js';
import { newId } from '../sessions/secrets.js';
import type { Sessions } from '../sessions/sessions.js';
import type { Broadcaster } from './broadcast.js';
import type { IoSocket } from './types.js';

type AckFn = (res: CommandAck | AckError) => void;

interface Deps {
  commandsPer10s: number;
  sessions: Sessions;
  broadcaster: Broadcaster;
  logger: Logger;
  now: () => number;
}

function callerOf(socket: IoSocket): Caller {
  const { viewer } = socket.data;
  return viewer.role === 'participant' ? { role: 'participant', participantId: viewer.participantId } : { role: viewer.role };
}

const ROLE_MESSAGES = {
  facilitator: 'Only the facilitator can do this.',
  participant: 'Only participants can do this.',
  owner: 'Only the owner of the challenge in focus can do this.',
} as const;

/** AUTH: the role the command needs, from the socket's verified identity and the round state. */
function authorize(name: CommandName, caller: Caller, session: LiveSession): void {
  if (!roleAllows(name, caller, session.state.context)) throw new DomainError('FORBIDDEN', ROLE_MESSAGES[COMMAND_ROLES[name]]);
}

/** The ack is whatever function comes last, wherever the client put it; the payload comes first. */
function split(args: unknown[]): { payload: unknown; ack: AckFn | undefined; extra: boolean } {
  const last = args.at(-1);
  const ack = typeof last === 'function' ? (last as AckFn) : undefined;
  const rest = ack ? args.slice(0, -1) : args;
  return { payload: rest[0], ack, extra: rest.length > 1 };
}

/**
 * The one path of every command: parse → identify the caller from the socket → authorize →
 * apply to the machine → write durably → ack → send each client its view. Returns what to do
 * with each new socket; one rate limiter serves them all (keyed by socket).
 */
export function commandHandling(deps: Deps): (socket: IoSocket) => void {
  // Generous for people typing, fatal for a script flooding the round.
  const limiter = new RateLimiterMemory({ points: deps.commandsPer10s, duration: 10 });
  return (socket) => registerCommands(socket, limiter, deps);
}

function registerCommands(socket: IoSocket, limiter: RateLimiterMemory, deps: Deps): void {
  const { sessions, broadcaster, logger, now } = deps;

  const handle = async (name: CommandName, payload: unknown, ack: AckFn) => {
    const started = performance.now();
    try {
      await limiter.consume(socket.id);
    } catch {
      ack({ ok: false, code: 'RATE_LIMITED', message: 'Too many actions at once; wait a moment.' });
      return;
    }
    const parsed = COMMANDS[name].safeParse(payload);
    if (!parsed.success) {
      ack({ ok: false, code: 'BAD_REQUEST', message: describeIssues(parsed.error) });
      return;
    }
    const { cid, ...fields } = parsed.data;
    const caller = callerOf(socket);
    const session = await sessions.require(socket.data.code);
    const dedupeKey = `${caller.role === 'participant' ? caller.participantId : caller.role}:${cid}`;
    await session.recallLogged();
    // From here to `remember` nothing waits: a resend racing the original finds it.
    const earlier = session.recall(dedupeKey);
    if (earlier) {
      ack(await earlier);
      return;
    }
    const outcome = (async (): Promise<CommandAck> => {
      authorize(name, caller, session);
      const event = { ...fields, type: name, at: now(), caller, id: newId(), cmd: dedupeKey } as RoundEvent;
      return { ok: true, seq: await sessions.apply(session, event) };
    })().catch((error: unknown) => {
      if (!(error instanceof DomainError)) logger.error({ session: session.code, command: name, err: error }, 'command failed');
      return toAckError(error);
    });
    // Remembered while in flight too, so a resend racing the original waits for its answer.
    session.remember(dedupeKey, outcome);
    const result = await outcome;
    if (!result.ok) session.forget(dedupeKey);
    ack(result);
    if (result.ok) sessions.onChange(session);
    logger.debug(
      { session: session.code, command: name, role: caller.role, ok: result.ok, ms: +(performance.now() - started).toFixed(2) },
      'command',
    );
  };

  const command = (name: CommandName, args: unknown[]) => {
    const { payload, ack, extra } = split(args);
    if (!ack) return; // Without an ack there is nobody to answer: drop it.
    if (extra) return ack({ ok: false, code: 'BAD_REQUEST', message: 'A command takes one payload and an acknowledgement.' });
    handle(name, payload, ack).catch((error) => ack(toAckError(error)));
  };

  const sync = (args: unknown[]) => {
    const { payload, ack } = split(args);
    const respond = (ack ?? (() => {})) as (res: unknown) => void;
    const parsed = SyncRequest.safeParse(payload);
    if (!parsed.success) return respond({ ok: false, code: 'BAD_REQUEST', message: describeIssues(parsed.error) });
    // Each answer is a whole patch or view: counted like a command.
    limiter.consume(socket.id).then(
      () =>
        sessions.get(socket.data.code).then((session) => {
          if (!session) return respond({ ok: false, code: 'NOT_FOUND', message: 'The session is gone.' });
          broadcaster.sync(session, socket, parsed.data.lastSeq);
          respond({ ok: true, seq: session.seq });
        }),
      () => respond({ ok: false, code: 'RATE_LIMITED', message: 'Too many actions at once; wait a moment.' }),
    );
  };

  // One listener for every event a client may send; unknown ones are answered when they carry an
  // ack, and otherwise dropped.
  socket.onAny((event: string, ...args: unknown[]) => {
    if (isCommandName(event)) return command(event, args);
    if (event === 'time:sync') return void split(args).ack?.({ ok: true, serverNow: now() } as never);
    if (event === 'session:sync') return sync(args);
    const ack = args.at(-1);
    if (typeof ack === 'function') ack({ ok: false, code: 'UNKNOWN_EVENT', message: `Unknown event “${String(event).slice(0, 40)}”.` });
  });
}
