import type { ErrorCode } from '@kollegium/shared';

/** Failures the client detects itself, next to the server's error codes. */
export type ClientErrorCode = 'TIMEOUT' | 'OFFLINE' | 'NETWORK' | 'INVALID_CODE' | 'MOVED_ON';
export type AnyErrorCode = ErrorCode | ClientErrorCode;

/**
 * Every code the server or the client can produce, so a new server code fails the typecheck here
 * until it has a message (the locale files hold one `errors.CODE` entry for each).
 */
const KNOWN: Record<AnyErrorCode, true> = {
  BAD_REQUEST: true,
  UNKNOWN_EVENT: true,
  UNAUTHORIZED: true,
  FORBIDDEN: true,
  NOT_ALLOWED_NOW: true,
  NOT_FOUND: true,
  SESSION_LOCKED: true,
  RATE_LIMITED: true,
  PAYLOAD_TOO_LARGE: true,
  UNAVAILABLE: true,
  INTERNAL: true,
  TIMEOUT: true,
  OFFLINE: true,
  NETWORK: true,
  INVALID_CODE: true,
  MOVED_ON: true,
};

/** Anything unexpected reads as INTERNAL rather than as a raw, untranslated code. */
export function toErrorCode(value: unknown): AnyErrorCode {
  return typeof value === 'string' && Object.hasOwn(KNOWN, value) ? (value as AnyErrorCode) : 'INTERNAL';
}

/**
 * Refusals that are not a "no": the server is busy, restarting or briefly unwell. A command
 * refused with one of these may be sent again (with the same command id); any other code is final.
 */
export const TRANSIENT_CODES: readonly string[] = ['RATE_LIMITED', 'UNAVAILABLE', 'INTERNAL'];

export function isTransient(code: string): boolean {
  return TRANSIENT_CODES.includes(code);
}
