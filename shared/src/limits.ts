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

/**
 * How a client (re)connects — Socket.IO manager options, used by the browser client and by the
 * benchmark's clients alike. Reconnection tries after ~0.5, 1 and 2 s, then every 2.5 s, each
 * delay ±50% at random: a restart takes a second or two and a round is live, so people are back
 * within ~2.5 s of the server rather than on a retry 10–15 s later. The jitter spreads a room of
 * phones (thousands, after a restart) over the interval instead of bringing them back in
 * lockstep; past the cap each client keeps the offset its earlier random delays gave it. During
 * an outage that is one refused connection per client every 2.5 s, which a server or a proxy
 * answers cheaply.
 */
export const RECONNECTION = { reconnectionDelay: 500, reconnectionDelayMax: 2500, randomizationFactor: 0.5, timeout: 10_000 } as const;
