import express, { type NextFunction, type Request, type Response } from 'express';
import {
  CreateSessionRequest,
  JoinRequest,
  describeIssues,
  normalizeJoinCode,
  type CreateSessionResponse,
  type HttpError,
  type SessionInfo,
} from '@kollegium/shared';
import type { z } from 'zod';
import { DomainError, HTTP_STATUS, toAckError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { LiveSession } from '../sessions/session.js';
import { boardKeyFor, secretMatches } from '../sessions/secrets.js';
import type { Sessions } from '../sessions/sessions.js';

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new DomainError('BAD_REQUEST', describeIssues(parsed.error));
  return parsed.data;
}

const codeParam = (req: Request) => normalizeJoinCode(String(req.params.code ?? ''));

function linksFor(code: string, facilitatorKey: string): CreateSessionResponse {
  return {
    code,
    links: {
      participant: `/join/${code}`,
      board: `/board/${code}#key=${boardKeyFor(facilitatorKey, code)}`,
      facilitator: `/facilitate/${code}#key=${facilitatorKey}`,
    },
  };
}

/** The facilitator key from `Authorization: Bearer …`, checked against the session. */
function facilitatorKey(req: Request, session: LiveSession): string {
  const key = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '';
  if (!secretMatches(key, session.facilitatorKeyHash)) throw new DomainError('UNAUTHORIZED', 'This needs the facilitator link.');
  return key;
}

/** The JSON API: create a session, look one up before joining, join as a participant. */
export function apiRouter(sessions: Sessions, logger: Logger, joinLimit: express.RequestHandler): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: '16kb' }));

  router.post('/sessions', async (req, res) => {
    const request = parse(CreateSessionRequest, req.body);
    const { code, facilitatorKey } = await sessions.create(request);
    res.status(201).json(linksFor(code, facilitatorKey));
  });

  /** The facilitator's links again (e.g. on another device), for the bearer of the facilitator key. */
  router.get('/sessions/:code/links', async (req, res) => {
    const session = await sessions.require(codeParam(req));
    res.json(linksFor(session.code, facilitatorKey(req, session)));
  });

  router.get('/sessions/:code', joinLimit, async (req, res) => {
    const session = await sessions.require(codeParam(req));
    const { code, title, format, locked } = session.state.context;
    const body: SessionInfo = { code, title, format, locked };
    res.json(body);
  });

  router.post('/sessions/:code/participants', joinLimit, async (req, res) => {
    const { name } = parse(JoinRequest, req.body);
    res.status(201).json(await sessions.join(codeParam(req), name));
  });

  // The facilitator deletes the session with all its data; the key comes as a bearer token.
  router.delete('/sessions/:code', async (req, res) => {
    const session = await sessions.require(codeParam(req));
    facilitatorKey(req, session);
    await sessions.delete(session.code);
    res.status(204).end();
  });

  router.use((_req, _res, next) => next(new DomainError('NOT_FOUND', 'No such API route.')));

  // Every failure becomes `{ error: { code, message } }`; bodies are never echoed back.
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    let refusal = toAckError(error);
    const status = (error as { status?: number; type?: string })?.status;
    if (!(error instanceof DomainError) && status && status < 500) {
      refusal =
        status === 413
          ? { ok: false, code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large.' }
          : { ok: false, code: 'BAD_REQUEST', message: 'The request body is not valid JSON.' };
    }
    if (refusal.code === 'INTERNAL') logger.error({ err: error }, 'request failed');
    const body: HttpError = { error: { code: refusal.code, message: refusal.message } };
    res.status(HTTP_STATUS[refusal.code]).json(body);
  });
  return router;
}
