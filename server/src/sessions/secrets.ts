import { createHash, createHmac, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH } from '@kollegium/shared';

/** 192 bits: facilitator keys, board keys and device tokens cannot be guessed. */
export function newSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** Only hashes of secrets are kept, so stored data cannot be replayed as a login. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

export function secretMatches(secret: string, hash: string): boolean {
  const a = Buffer.from(hashSecret(secret));
  const b = Buffer.from(hash);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function newJoinCode(): string {
  let code = '';
  for (let i = 0; i < JOIN_CODE_LENGTH; i++) code += JOIN_CODE_ALPHABET[randomInt(JOIN_CODE_ALPHABET.length)];
  return code;
}

export const newId = (): string => randomUUID();

/**
 * The board key follows from the facilitator key, so a facilitator can always show the board
 * link again while the server keeps only hashes of both.
 */
export function boardKeyFor(facilitatorKey: string, code: string): string {
  return createHmac('sha256', facilitatorKey).update(`board:${code}`).digest('base64url').slice(0, 32);
}
