import type { AckError, ErrorCode } from '@kollegium/shared';

/** A refusal the caller should see: it becomes `{ ok: false, code, message }` or an HTTP error. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function toAckError(error: unknown): AckError {
  if (error instanceof DomainError) return { ok: false, code: error.code, message: error.message };
  return { ok: false, code: 'INTERNAL', message: 'Something went wrong on the server; nothing was changed.' };
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNKNOWN_EVENT: 404,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_ALLOWED_NOW: 409,
  NOT_FOUND: 404,
  SESSION_LOCKED: 403,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};
