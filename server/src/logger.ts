import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured logs: who, which session, which command, how long — never what people wrote. */
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined, redact: ['key', 'token', 'auth.key', 'auth.token'] });
}
