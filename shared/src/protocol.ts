import { z } from 'zod';
import { CONTRIBUTION_KINDS } from './model.js';
import { FORMATS, TIMED_PHASES } from './phases.js';
import { JOIN_CODE_PATTERN } from './joinCode.js';
import { LIMITS } from './limits.js';
import type { ChallengeView, ContributionView, RoleView } from './view.js';

export { LIMITS, PROTOCOL_VERSION, RECONNECTION } from './limits.js';

const id = z.string().min(1).max(64);
/** Postgres keeps no NUL character in text or JSON: refused here, not failed at the write. */
const noNul = (schema: z.ZodString) => schema.refine((value) => !value.includes('\u0000'), 'must not contain NUL characters');
const text = (max: number) => noNul(z.string().trim().min(1).max(max));
const optionalText = (max: number) => noNul(z.string().trim().max(max));
/** A client-generated command id: a repeated id is answered but not applied twice. */
const cid = z.string().min(8).max(64).regex(/^[\w-]+$/);

const command = <T extends z.ZodRawShape>(shape: T) => z.strictObject({ cid, ...shape });

/** Every command a client may send, by event name, with its payload schema. */
export const COMMANDS = {
  'challenge:submit': command({
    title: text(LIMITS.title),
    context: optionalText(LIMITS.context).default(''),
    question: text(LIMITS.question),
  }),
  'vote:cast': command({ challengeId: id }),
  'vote:retract': command({ challengeId: id }),
  'round:start': command({ shuffle: z.boolean().default(false), order: z.array(id).max(LIMITS.maxChallenges).optional() }),
  'challenge:pick': command({ challengeId: id.optional() }),
  'challenge:confirm': command({}),
  'round:next': command({}),
  'round:back': command({}),
  'round:pause': command({}),
  'round:resume': command({}),
  'round:addTime': command({ ms: z.number().int().min(-3_600_000).max(3_600_000) }),
  'round:reveal': command({}),
  'contribution:add': command({
    kind: z.enum(CONTRIBUTION_KINDS),
    text: text(LIMITS.contribution),
    anonymous: z.boolean().default(false),
  }),
  'contribution:hide': command({ contributionId: id, hidden: z.boolean() }),
  'contribution:markUseful': command({ contributionId: id, useful: z.boolean() }),
  'nextStep:add': command({ text: text(LIMITS.nextStep) }),
  'nextStep:remove': command({ nextStepId: id }),
  'note:set': command({ challengeId: id, text: optionalText(LIMITS.note) }),
  'session:lock': command({ locked: z.boolean() }),
  'participant:remove': command({ participantId: id }),
  'evaluation:submit': command({
    usefulness: z.number().int().min(1).max(5),
    process: z.number().int().min(1).max(5),
    comment: optionalText(LIMITS.comment).default(''),
  }),
} as const;

export type CommandName = keyof typeof COMMANDS;
export type CommandPayload<N extends CommandName> = z.output<(typeof COMMANDS)[N]>;
export type CommandInput<N extends CommandName> = z.input<(typeof COMMANDS)[N]>;
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

/** Who may send a command at all; the machine's guards then check phase and ownership. */
export const COMMAND_ROLES: Record<CommandName, 'facilitator' | 'participant' | 'owner'> = {
  'challenge:submit': 'participant',
  'vote:cast': 'participant',
  'vote:retract': 'participant',
  'round:start': 'facilitator',
  'challenge:pick': 'facilitator',
  'challenge:confirm': 'owner',
  'round:next': 'facilitator',
  'round:back': 'facilitator',
  'round:pause': 'facilitator',
  'round:resume': 'facilitator',
  'round:addTime': 'facilitator',
  'round:reveal': 'facilitator',
  'contribution:add': 'participant',
  'contribution:hide': 'facilitator',
  'contribution:markUseful': 'owner',
  'nextStep:add': 'owner',
  'nextStep:remove': 'owner',
  'note:set': 'participant',
  'evaluation:submit': 'participant',
  'session:lock': 'facilitator',
  'participant:remove': 'facilitator',
};

export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNKNOWN_EVENT',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_ALLOWED_NOW',
  'NOT_FOUND',
  'SESSION_LOCKED',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export type AckError = { ok: false; code: ErrorCode; message: string };
export type Ack<T = object> = ({ ok: true } & T) | AckError;
export type CommandAck = Ack<{ seq: number }>;

/** What the server pushes: one role's view of the session, numbered by the session's version. */
export interface ViewMessage {
  seq: number;
  /** Server clock when sent: clients use it with `time:sync` to correct for skew. */
  serverNow: number;
  view: RoleView;
}

/** A collection's changes since the base version: changed or newly visible items, and ids to drop. */
export interface CollectionPatch<T> {
  upsert: T[];
  remove: string[];
}

/**
 * What changed for one viewer between version `base` and `seq`: the parts of the view that
 * changed (a part left out is unchanged; each part present comes whole), and the collections
 * that grow with the round as changes. A client whose version is not `base` asks for a full view
 * with `session:sync` instead of applying it.
 */
export interface ViewPatch {
  seq: number;
  base: number;
  serverNow: number;
  view: Partial<Omit<RoleView, 'contributions' | 'challenges'>>;
  contributions: CollectionPatch<ContributionView>;
  challenges: CollectionPatch<ChallengeView>;
}

type CommandHandlers = {
  [N in CommandName]: (payload: CommandInput<N>, ack: (res: CommandAck) => void) => void;
};

export interface ClientToServerEvents extends CommandHandlers {
  'time:sync': (ack: (res: Ack<{ serverNow: number }>) => void) => void;
  'session:sync': (payload: { lastSeq: number | null }, ack: (res: Ack<{ seq: number }>) => void) => void;
}

export interface ServerToClientEvents {
  'session:view': (msg: ViewMessage) => void;
  'session:patch': (patch: ViewPatch) => void;
  /** The caller's access ended (session deleted, participant removed). */
  'session:closed': (msg: { code: ErrorCode; message: string }) => void;
}

export const SyncRequest = z.strictObject({ lastSeq: z.number().int().min(0).nullable() });

export const JoinCode = z.string().regex(JOIN_CODE_PATTERN);

/** Socket.IO handshake `auth`: who is connecting. The server resolves it to a role. */
/** The last version a reconnecting client saw: it then gets only what it missed, when still known. */
const lastSeq = z.number().int().min(0).optional();
export const SocketAuth = z.discriminatedUnion('role', [
  z.strictObject({ role: z.literal('facilitator'), code: JoinCode, key: z.string().min(16).max(128), lastSeq }),
  z.strictObject({ role: z.literal('participant'), code: JoinCode, token: z.string().min(16).max(128), lastSeq }),
  z.strictObject({ role: z.literal('board'), code: JoinCode, key: z.string().min(16).max(128), lastSeq }),
]);
export type SocketAuth = z.infer<typeof SocketAuth>;

const minutes = z.number().min(0).max(240);

/** POST /api/sessions */
export const CreateSessionRequest = z.strictObject({
  title: text(LIMITS.title),
  format: z.enum(FORMATS).default('focus'),
  /** Minutes per phase; phases left out keep the format's defaults. */
  minutes: z.partialRecord(z.enum(TIMED_PHASES), minutes).default({}),
  /** Everyone presents: total minutes for all turns, split across presenters. */
  totalMinutes: z.number().min(1).max(600).nullable().default(null),
  autoAdvance: z.boolean().default(false),
  hideUntilReveal: z.boolean().default(false),
  allowAnonymous: z.boolean().default(true),
  dots: z.number().int().min(1).max(10).default(3),
});
export type CreateSessionRequest = z.input<typeof CreateSessionRequest>;

export interface CreateSessionResponse {
  code: string;
  /** Paths on this server; the secret parts sit in the URL fragment so they never reach logs. */
  links: { participant: string; board: string; facilitator: string };
}

/** GET /api/sessions/:code — what the join page may show before joining. */
export interface SessionInfo {
  code: string;
  title: string;
  format: (typeof FORMATS)[number];
  /** No new participants may join. */
  locked: boolean;
}

/** POST /api/sessions/:code/participants */
export const JoinRequest = z.strictObject({ name: text(LIMITS.name) });
export type JoinRequest = z.input<typeof JoinRequest>;
export interface JoinResponse {
  participantId: string;
  token: string;
}

export interface HttpError {
  error: { code: ErrorCode; message: string };
}

/** Readable message for a zod failure, without echoing the input back. */
export function describeIssues(error: z.ZodError): string {
  const field = (path: PropertyKey[]) => path.map((p) => String(p).slice(0, 40)).join('.') || 'payload';
  return error.issues
    .slice(0, 3)
    .map((i) => (i.code === 'unrecognized_keys' ? `${field(i.path)}: unknown fields are not accepted` : `${field(i.path)}: ${i.message}`))
    .join('; ')
    .slice(0, 300);
}
