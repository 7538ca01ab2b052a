// Constants the client needs without pulling in the schemas (and zod) of protocol.ts.

/** Bumped whenever a change to events or payloads would break an older client. */
export const PROTOCOL_VERSION = 1;

export const LIMITS = {
  name: 40,
  title: 120,
  context: 2000,
  question: 500,
  contribution: 1000,
  nextStep: 500,
  note: 2000,
  comment: 1000,
  /** Largest Socket.IO message the server accepts, in bytes. */
  messageBytes: 16 * 1024,
  maxParticipants: 200,
  maxChallenges: 200,
  maxContributions: 5000,
} as const;
