/**
 * Property-based tests against the real server over real sockets (fast-check drives them).
 *
 * 1. Malformed input for every event (commands, session:sync, time:sync, unknown names), from
 *    every role, with and without an ack: the answer is a typed refusal (or ok only for a payload
 *    its schema accepts), nothing changes on a refusal and the server keeps answering.
 * 2. Random sequences of plausible commands in randomly configured sessions: no client's wire ever
 *    carries an anonymous author, a reflection held until reveal, someone else's private note,
 *    someone else's evaluation comment or any secret; versions are gap-free over accepted
 *    commands; every client's patched view equals a fresh full view.
 *
 * 3. Two faults this fuzzing found, kept as tests: acks in any position are answered, and
 *    refusals do not echo the payload back.
 *
 * Replay a failure with the seed fast-check prints: FUZZ_SEED=<seed> npx vitest run tests/integration/fuzz.test.ts
 * (FUZZ_PATH=<path> as well, to go straight to the shrunk case).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  COMMANDS,
  COMMAND_NAMES,
  CONTRIBUTION_KINDS,
  ERROR_CODES,
  SyncRequest,
  isCommandName,
  type CommandAck,
  type CommandName,
  type Phase,
} from '@kollegium/shared';
import { keyOf, openRound, type Round, type TestClient } from '../support/clients.js';
import { startServer, type TestServer } from '../support/server.js';
import {
  CLIENT_RESERVED_EVENTS,
  answerWithin,
  choose,
  contributionsIn,
  emitWithoutAck,
  fmt,
  freshView,
  parseWire,
} from '../support/fuzz.js';

const MALFORMED_RUNS = Number(process.env.FUZZ_MALFORMED_RUNS ?? 1000);
const SEQUENCE_RUNS = Number(process.env.FUZZ_SEQUENCE_RUNS ?? 100);

/** fast-check settings: a given seed (and path) replays one run exactly. */
const fcOptions = (numRuns: number): fc.Parameters<unknown> => ({
  numRuns,
  ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
  ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
  // A run that cannot finish in time is a failure, not a silently shorter run.
  interruptAfterTimeLimit: 80_000,
  markInterruptAsFailure: true,
});

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ security: { commandsPer10s: 100_000, joinPerMinute: 100_000 } });
});
afterAll(async () => {
  await server?.close();
});

type Role = 'facilitator' | 'board' | 'participant';

/** Who the server thinks sent a command, as in its de-duplication key. */
const callerKey = (client: TestClient) => (client.view.me.role === 'participant' ? client.view.me.participantId! : client.view.me.role);

/** What the server receives: the payload after a JSON round trip (undefined → null, NaN → null, Date → string). */
const overTheWire = (payload: unknown): unknown => {
  try {
    return (JSON.parse(JSON.stringify([payload])) as unknown[])[0];
  } catch {
    return Symbol('not serialisable');
  }
};

function expectRefusal(ack: unknown, code?: string): asserts ack is { ok: false; code: string; message: string } {
  expect(ack).toBeTypeOf('object');
  const a = ack as Record<string, unknown>;
  expect(Object.keys(a).sort()).toEqual(['code', 'message', 'ok']);
  expect(a.ok).toBe(false);
  expect(ERROR_CODES).toContain(a.code);
  if (code) expect(a.code).toBe(code);
  expect(a.message).toBeTypeOf('string');
  expect((a.message as string).length).toBeGreaterThan(0);
  // (How long the message may be is checked by the known-bug test at the end of this file.)
}

// ---------------------------------------------------------------------------------------------
// 1. Malformed input
// ---------------------------------------------------------------------------------------------

const MAX_MESSAGE = 15_000; // below the server's 16 KB message limit, with room for the envelope

const junk = fc.anything({
  maxDepth: 3,
  maxKeys: 6,
  stringUnit: 'binary',
  withDate: true,
  withNullPrototype: true,
  withSparseArray: true,
  withObjectString: true,
  withTypedArray: true,
});

/** Strings near the message limit, in one- to four-byte characters. */
const huge = fc
  .tuple(fc.integer({ min: 500, max: 13_000 }), fc.constantFrom('x', 'é', '€', '\u{1F600}', ' ', '\\'))
  .map(([bytes, unit]) => unit.repeat(Math.max(1, Math.floor(bytes / Buffer.byteLength(JSON.stringify(unit).slice(1, -1))))));

/** Nesting hundreds deep, well within the message limit. */
const nested = fc
  .tuple(fc.integer({ min: 5, max: 400 }), fc.boolean())
  .map(([depth, objects]) => {
    let value: unknown = 'bottom';
    for (let i = 0; i < depth; i++) value = objects && i % 2 ? { cid: value } : [value];
    return value;
  });

const validCid = fc.string({ unit: fc.constantFrom(...'abcdefghXYZ0123456789_-'), minLength: 8, maxLength: 40 });
const badCid = fc.oneof(
  fc.constant(''),
  fc.string({ maxLength: 7 }),
  fc.constant('c'.repeat(65)),
  fc.constantFrom('has space1', 'äöüäöüäöü', 'semi;colon', 'new\nline00', '../../etc/passwd'),
  fc.integer(),
  fc.constant(null),
  fc.array(validCid, { maxLength: 2 }),
);

/** Payloads each command's schema accepts, over ids that exist (and ids that do not). */
function validFields(name: CommandName, knownIds: string[]): fc.Arbitrary<Record<string, unknown>> {
  const id = fc.oneof(fc.constantFrom(...knownIds), fc.string({ minLength: 1, maxLength: 64 }));
  const text = (max: number) => fc.string({ minLength: 1, maxLength: Math.min(max, 60) });
  const optional = fc.string({ maxLength: 40 });
  const none = fc.constant({});
  switch (name) {
    case 'challenge:submit':
      return fc.record({ title: text(120), context: optional, question: text(500) }, { requiredKeys: ['title', 'question'] });
    case 'vote:cast':
    case 'vote:retract':
      return fc.record({ challengeId: id });
    case 'round:start':
      return fc.record({ shuffle: fc.boolean(), order: fc.array(id, { maxLength: 4 }) }, { requiredKeys: [] });
    case 'challenge:pick':
      return fc.record({ challengeId: id }, { requiredKeys: [] });
    case 'round:addTime':
      // Only added time: a shortened clock could time out and change the version on its own.
      return fc.record({ ms: fc.integer({ min: 1, max: 3_600_000 }) });
    case 'contribution:add':
      return fc.record(
        { kind: fc.constantFrom(...CONTRIBUTION_KINDS), text: text(1000), anonymous: fc.boolean() },
        { requiredKeys: ['kind', 'text'] },
      );
    case 'contribution:hide':
      return fc.record({ contributionId: id, hidden: fc.boolean() });
    case 'contribution:markUseful':
      return fc.record({ contributionId: id, useful: fc.boolean() });
    case 'nextStep:add':
      return fc.record({ text: text(500) });
    case 'nextStep:remove':
      return fc.record({ nextStepId: id });
    case 'note:set':
      return fc.record({ challengeId: id, text: optional });
    case 'session:lock':
      return fc.record({ locked: fc.boolean() });
    case 'participant:remove':
      // Known ids here are challenges and contributions, never participants: no one is removed.
      return fc.record({ participantId: id });
    case 'evaluation:submit':
      return fc.record(
        { usefulness: fc.integer({ min: 1, max: 5 }), process: fc.integer({ min: 1, max: 5 }), comment: optional },
        { requiredKeys: ['usefulness', 'process'] },
      );
    case 'challenge:confirm':
    case 'round:next':
    case 'round:back':
    case 'round:pause':
    case 'round:resume':
    case 'round:reveal':
      return none;
  }
}

const shapeKeys = (name: CommandName) => Object.keys((COMMANDS[name] as unknown as { shape: Record<string, unknown> }).shape);

type Variant = { payload: unknown; variant: string };

/** One command's payload: valid, or broken in one of many ways. */
function commandPayload(name: CommandName, knownIds: string[]): fc.Arbitrary<Variant> {
  const valid = fc.tuple(validCid, validFields(name, knownIds)).map(([cid, fields]) => ({ cid, ...fields }));
  const keys = shapeKeys(name);
  const replace = (variant: string, value: fc.Arbitrary<unknown>, key = fc.constantFrom(...keys)) =>
    fc.tuple(valid, key, value).map(([p, k, v]) => ({ payload: { ...p, [k]: v }, variant }));
  const extraKey = fc.string({ maxLength: 20 }).filter((k) => !keys.includes(k) && k !== '__proto__');
  return fc.oneof(
    { weight: 4, arbitrary: junk.map((payload) => ({ payload, variant: 'anything' })) },
    { weight: 3, arbitrary: valid.map((payload) => ({ payload, variant: 'valid' })) },
    {
      weight: 1,
      arbitrary: valid.map(({ cid: _cid, ...rest }) => ({ payload: rest, variant: 'missing cid' })),
    },
    { weight: 1, arbitrary: replace('bad cid', badCid, fc.constant('cid')) },
    { weight: 3, arbitrary: replace('wrong type', junk) },
    { weight: 2, arbitrary: replace('huge string', huge) },
    { weight: 1, arbitrary: replace('huge extra key', fc.boolean(), huge) },
    { weight: 2, arbitrary: replace('extra field', junk, extraKey) },
    { weight: 1, arbitrary: replace('nested junk', nested) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(fc.constant(null), fc.integer(), fc.double(), fc.boolean(), fc.string(), fc.array(junk, { maxLength: 4 }), nested, huge)
        .map((payload) => ({ payload, variant: 'not an object' })),
    },
  );
}

const syncPayload: fc.Arbitrary<Variant> = fc.oneof(
  fc.record({ lastSeq: fc.oneof(fc.constant(null), fc.nat(40), fc.nat()) }).map((payload) => ({ payload, variant: 'valid' })),
  fc.record({ lastSeq: junk }).map((payload) => ({ payload, variant: 'wrong type' })),
  fc.tuple(fc.nat(40), fc.string({ maxLength: 10 }), junk).map(([lastSeq, k, v]) => ({ payload: { lastSeq, [k]: v }, variant: 'extra field' })),
  junk.map((payload) => ({ payload, variant: 'anything' })),
  huge.map((payload) => ({ payload, variant: 'huge string' })),
);

const KNOWN_EVENTS = new Set<string>([...COMMAND_NAMES, 'time:sync', 'session:sync']);
const unknownName = fc
  .oneof(
    fc.constantFrom(
      'error',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'session:view',
      'session:patch',
      'session:closed',
      'round:timeout',
      'participant:join',
      'ROUND:NEXT',
      'round:next ',
      ' round:next',
      'time:Sync',
      'session:sync\u0000',
      '',
      'x'.repeat(2000),
    ),
    fc.string({ maxLength: 30, unit: 'binary' }),
  )
  .filter((name) => !KNOWN_EVENTS.has(name) && !CLIENT_RESERVED_EVENTS.has(name));

interface MalformedCase {
  role: number; // 0 facilitator, 1 board, 2.. participants
  event: string;
  variant: string;
  payload: unknown;
  /** Unknown events only: no payload at all, just the ack. */
  bare: boolean;
  withAck: boolean;
}

function malformedCase(knownIds: string[], roles: number): fc.Arbitrary<MalformedCase> {
  const command = fc
    .constantFrom(...COMMAND_NAMES)
    .chain((event) => commandPayload(event, knownIds).map((v) => ({ event, ...v, bare: false })));
  const sync = syncPayload.map((v) => ({ event: 'session:sync', ...v, bare: false }));
  // time:sync with an argument before its ack is never answered (known bug, see the end of the
  // file), so here it is only sent without an ack: ignored, and the server goes on.
  const timeSync = junk.map((payload) => ({ event: 'time:sync', payload, variant: 'anything', bare: false }));
  const unknown = fc
    .tuple(unknownName, junk, fc.boolean())
    .map(([event, payload, bare]) => ({ event, payload, variant: bare ? 'bare' : 'anything', bare }));
  return fc
    .record({
      role: fc.nat(roles - 1),
      body: fc.oneof(
        { weight: 16, arbitrary: command },
        { weight: 2, arbitrary: sync },
        { weight: 2, arbitrary: unknown },
        { weight: 1, arbitrary: timeSync },
      ),
      withAck: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    })
    .map(({ role, body, withAck }) => ({ role, withAck: withAck && body.event !== 'time:sync', ...body }))
    .filter((c) => {
      try {
        return Buffer.byteLength(JSON.stringify([c.event, c.payload])) <= MAX_MESSAGE;
      } catch {
        return false;
      }
    });
}

describe('fuzz: malformed input', () => {
  let round: Round;
  afterAll(() => round?.close());

  it('every event, any payload, any role: a typed refusal, nothing changed, the server still answers', async () => {
    // A focus round in `present`, with hold-until-reveal, long clocks and one contribution.
    const all240 = { choose: 240, present: 240, clarify: 240, reflect: 240, respond: 240, nextSteps: 240, evaluate: 240 };
    round = await openRound(server.url, { title: 'Fuzz', format: 'focus', hideUntilReveal: true, minutes: all240 }, ['Ada', 'Bo']);
    const [ada, bo] = round.participants as [TestClient, TestClient];
    await ada.do('challenge:submit', { title: 'A', question: 'Qa' });
    await bo.do('challenge:submit', { title: 'B', question: 'Qb' });
    await round.facilitator.do('round:start', {});
    const ids = (await ada.until((v) => v.challenges.length === 2)).challenges.map((c) => c.id);
    await round.facilitator.do('challenge:pick', { challengeId: ids[0]! });
    await ada.do('challenge:confirm', {});
    await bo.do('contribution:add', { kind: 'question', text: 'why?' });
    const contributionId = (await bo.until((v) => v.contributions.length === 1)).contributions[0]!.id;
    const knownIds = [...ids, contributionId];

    const clients = [round.facilitator, round.board, ada, bo];
    const fac = round.facilitator;
    /** The session's version, from a fresh `session:sync` answer. */
    const versionNow = async () => {
      const ack = (await fac.raw('session:sync', { lastSeq: fac.seq })) as { ok: boolean; seq: number };
      expect(ack.ok).toBe(true);
      return ack.seq;
    };
    let seq = await versionNow();
    const accepted = new Map<string, unknown>();
    const stats = { cases: 0, withAck: 0, withoutAck: 0, accepted: 0, events: new Set<string>(), variants: new Map<string, number>(), codes: new Map<string, number>() };
    const roleOf = (i: number): Role => (i === 0 ? 'facilitator' : i === 1 ? 'board' : 'participant');

    await fc.assert(
      fc.asyncProperty(malformedCase(knownIds, clients.length), async (c) => {
        const sender = clients[c.role]!;
        stats.cases++;
        stats.events.add(isCommandName(c.event) || KNOWN_EVENTS.has(c.event) ? c.event : '(unknown)');
        stats.variants.set(c.variant, (stats.variants.get(c.variant) ?? 0) + 1);
        const args = c.bare ? [] : [c.payload];

        if (!c.withAck) {
          stats.withoutAck++;
          emitWithoutAck(sender, c.event, ...args);
        } else {
          stats.withAck++;
          const ack = await sender.raw(c.event, ...args);
          const received = overTheWire(c.payload);
          const okCode = (ack as { ok?: boolean; code?: string }).ok ? 'ok' : (ack as { code?: string }).code ?? '?';
          stats.codes.set(okCode, (stats.codes.get(okCode) ?? 0) + 1);
          if (isCommandName(c.event)) {
            const parsed = COMMANDS[c.event].safeParse(received);
            if (!parsed.success) {
              expectRefusal(ack, 'BAD_REQUEST');
            } else {
              const key = `${callerKey(sender)}:${parsed.data.cid}`;
              if (accepted.has(key)) {
                // A repeated command id gets the first answer and is not applied again.
                expect(ack).toEqual(accepted.get(key));
              } else if ((ack as CommandAck).ok) {
                expect(ack).toEqual({ ok: true, seq: seq + 1 });
                seq++;
                stats.accepted++;
                accepted.set(key, ack);
              } else {
                expectRefusal(ack);
                // Well-formed: refused for the role or the round's rules, never the payload.
                expect(['FORBIDDEN', 'NOT_ALLOWED_NOW']).toContain((ack as { code: string }).code);
                if (roleOf(c.role) === 'board') expect((ack as { code: string }).code).toBe('FORBIDDEN');
              }
            }
          } else if (c.event === 'session:sync') {
            if (SyncRequest.safeParse(received).success) expect(ack).toEqual({ ok: true, seq });
            else expectRefusal(ack, 'BAD_REQUEST');
          } else {
            expectRefusal(ack, 'UNKNOWN_EVENT');
          }
        }

        // The sender is still connected and the server still answers it.
        expect(sender.socket.connected).toBe(true);
        const time = (await sender.raw('time:sync')) as { ok: boolean; serverNow: number };
        expect(time).toEqual({ ok: true, serverNow: expect.any(Number) });
        // Nothing changed unless a well-formed command was accepted.
        expect(await versionNow()).toBe(seq);
      }),
      fcOptions(MALFORMED_RUNS),
    );

    // Anything dropped without an ack had time to do damage by now: it did not.
    await new Promise((r) => setTimeout(r, 200));
    expect(await versionNow()).toBe(seq);
    for (const client of clients) expect(client.socket.connected).toBe(true);

    const variants = [...stats.variants].map(([v, n]) => `${v} ${n}`).join(', ');
    const codes = [...stats.codes].map(([v, n]) => `${v} ${n}`).join(', ');
    console.log(
      `fuzz: ${fmt(stats.cases)} malformed payloads (${fmt(stats.withAck)} with an ack, ${fmt(stats.withoutAck)} without) ` +
        `over ${stats.events.size} event names from 3 roles checked; ${stats.accepted} happened to be valid and were applied\n` +
        `      variants: ${variants}\n      answers: ${codes}`,
    );
    expect(stats.cases).toBeGreaterThanOrEqual(Math.min(MALFORMED_RUNS, 300));
    expect(stats.withoutAck).toBeGreaterThan(stats.cases / 20);
    // Every command name, session:sync, time:sync and unknown names were exercised.
    expect(stats.events.size).toBe(COMMAND_NAMES.length + 3);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------
// 2. Random sequences of legitimate commands
// ---------------------------------------------------------------------------------------------

const OPS = [
  'submit', 'vote', 'retract', 'start', 'pick', 'confirm', 'next', 'back', 'pause', 'resume', 'addTime',
  'reveal', 'contribute', 'hide', 'useful', 'stepAdd', 'stepRemove', 'note', 'evaluate', 'lock', 'resend',
] as const;
type Op = (typeof OPS)[number];

/**
 * What people plausibly do in each phase (weights). Every other command keeps a small weight, and
 * a fifth of the steps ignore the phase altogether, so out-of-place commands are sent too.
 */
const PLAUSIBLE: Record<Phase, Partial<Record<Op, number>>> = {
  lobby: { submit: 12, start: 4, note: 1, lock: 1 },
  choose: { vote: 8, retract: 2, submit: 2, pick: 3, next: 3, pause: 1, resume: 1, addTime: 1, note: 2 },
  confirm: { confirm: 8, pick: 2, next: 2, back: 1 },
  present: { contribute: 8, next: 4, back: 1, pause: 1, resume: 1, addTime: 1, hide: 1 },
  clarify: { contribute: 8, next: 4, back: 1, hide: 1 },
  reflect: { contribute: 12, reveal: 3, hide: 2, useful: 3, next: 4, back: 1, note: 2 },
  respond: { useful: 4, stepAdd: 4, stepRemove: 2, next: 4, back: 1 },
  nextSteps: { stepAdd: 4, stepRemove: 2, useful: 2, next: 4, back: 1, note: 2 },
  evaluate: { evaluate: 8, next: 2, back: 1, note: 2 },
  ended: { evaluate: 6, note: 2, hide: 1 },
};

function opFor(step: Step, phase: Phase): Op {
  if (step.free < 20) return step.op;
  const weights = OPS.map((op) => (PLAUSIBLE[phase][op] ?? 0) * 4 + (op === 'resend' ? 2 : 1));
  let roll = step.roll % weights.reduce((a, b) => a + b, 0);
  for (const [i, w] of weights.entries()) {
    if (roll < w) return OPS[i]!;
    roll -= w;
  }
  return step.op;
}


interface Step {
  /** The command when the step ignores the phase (free < 20); otherwise `roll` picks a plausible one. */
  op: Op;
  free: number;
  roll: number;
  /** Chooses the actor, an item, a kind…: all choices are made from the current views. */
  who: number;
  pick: number;
  n: number;
  flag: boolean;
  flag2: boolean;
  /** Under 12: the command comes from a random client, whatever its role. */
  stray: number;
  /** Under 12: an id that does not exist. */
  bogus: number;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  op: fc.constantFrom(...OPS),
  free: fc.nat(99),
  roll: fc.nat(9999),
  who: fc.nat(1000),
  pick: fc.nat(1000),
  n: fc.integer({ min: -90_000, max: 600_000 }),
  flag: fc.boolean(),
  flag2: fc.boolean(),
  stray: fc.nat(99),
  bogus: fc.nat(99),
});

const runArb = fc.record({
  format: fc.constantFrom('focus' as const, 'everyone' as const),
  hideUntilReveal: fc.boolean(),
  allowAnonymous: fc.boolean(),
  dots: fc.integer({ min: 1, max: 3 }),
  people: fc.integer({ min: 2, max: 4 }),
  salt: fc.string({ unit: fc.constantFrom(...'abcdefghijkmnpqrstuvwxyz23456789'), minLength: 6, maxLength: 6 }),
  steps: fc.array(stepArb, { minLength: 20, maxLength: 70 }),
});
type Run = typeof runArb extends fc.Arbitrary<infer T> ? T : never;

interface Sent {
  client: TestClient;
  name: CommandName;
  payload: Record<string, unknown>;
  ack: CommandAck;
}

describe('fuzz: command sequences', () => {
  it('random commands from every role never leak and every patched view equals a fresh full view', async () => {
    const stats = {
      runs: 0,
      commands: 0,
      accepted: 0,
      resends: 0,
      codes: new Map<string, number>(),
      phases: new Map<Phase, number>(),
      anonymous: 0,
      held: 0,
      heldRevealed: 0,
      notes: 0,
      comments: 0,
      freshViews: 0,
      wireMessages: 0,
    };

    await fc.assert(
      fc.asyncProperty(runArb, async (run: Run) => {
        stats.runs++;
        let counter = 0;
        const token = (kind: string) => `~${kind}${++counter}_${run.salt}~`;
        const names = Array.from({ length: run.people }, (_, i) => token(`P${i}`));
        const round = await openRound(
          server.url,
          {
            title: token('title'),
            format: run.format,
            hideUntilReveal: run.hideUntilReveal,
            allowAnonymous: run.allowAnonymous,
            dots: run.dots,
            autoAdvance: false,
          },
          names,
        );
        const fresh: TestClient[] = [];
        try {
          await sequence(round, run, token, stats, fresh);
        } finally {
          round.close();
          for (const f of fresh) f.close();
        }
      }),
      fcOptions(SEQUENCE_RUNS),
    );

    const codes = [...stats.codes].map(([c, n]) => `${c} ${fmt(n)}`).join(', ');
    const phases = [...stats.phases].map(([p, n]) => `${p} ${n}`).join(', ');
    console.log(
      `fuzz: ${stats.runs} command sequences (${fmt(stats.commands)} commands: ${fmt(stats.accepted)} accepted, ` +
        `${fmt(stats.resends)} resends; ${codes}) checked\n` +
        `      runs reaching each phase: ${phases}\n` +
        `      ${stats.anonymous} anonymous contributions, ${stats.held} held reflections (${stats.heldRevealed} later revealed), ` +
        `${stats.notes} notes, ${stats.comments} evaluation comments traced through ${fmt(stats.wireMessages)} wire messages; ` +
        `${stats.freshViews} patched views compared with fresh full views`,
    );
    expect(stats.runs).toBeGreaterThanOrEqual(Math.min(SEQUENCE_RUNS, 20));
    expect(stats.commands).toBeGreaterThanOrEqual(stats.runs * 15);
    expect(stats.accepted).toBeGreaterThan(stats.commands / 5);
    // The invariants were not vacuous: the model reaches the phases and data they are about.
    if (SEQUENCE_RUNS >= 40) {
      expect(stats.phases.get('reflect') ?? 0).toBeGreaterThan(0);
      expect(stats.anonymous).toBeGreaterThan(0);
      expect(stats.held).toBeGreaterThan(0);
      expect(stats.notes).toBeGreaterThan(0);
    }
  }, 150_000);
});

type Stats = {
  commands: number;
  accepted: number;
  resends: number;
  codes: Map<string, number>;
  phases: Map<Phase, number>;
  anonymous: number;
  held: number;
  heldRevealed: number;
  notes: number;
  comments: number;
  freshViews: number;
  wireMessages: number;
};

/** Runs one sequence; a failure carries the commands that led to it. */
async function sequence(round: Round, run: Run, token: (kind: string) => string, stats: Stats, fresh: TestClient[]): Promise<void> {
  const trace: string[] = [];
  try {
    await commandsAndChecks(round, run, token, stats, fresh, trace);
  } catch (error) {
    const e = error as Error;
    e.message += `\n  settings: ${JSON.stringify({ ...run, steps: run.steps.length })}\n  last commands (sender command payload → ack):\n    ${trace.slice(-40).join('\n    ')}`;
    throw e;
  }
}

async function commandsAndChecks(
  round: Round,
  run: Run,
  token: (kind: string) => string,
  stats: Stats,
  fresh: TestClient[],
  trace: string[],
): Promise<void> {
  const fac = round.facilitator;
  const people = round.participants;
  const all = round.all;
  let seq = fac.seq;
  const history: Sent[] = [];
  /** Private texts and who may see them. */
  const notes: { text: string; author: TestClient }[] = [];
  const comments: { text: string; author: TestClient }[] = [];
  const contributed: { text: string; author: TestClient }[] = [];
  const phasesSeen = new Set<Phase>([fac.view.phase]);

  const caughtUp = (target: number) => Promise.all(all.map((c) => c.until(() => c.seq >= target)));

  for (const [index, step] of run.steps.entries()) {
    const planned = plan(step, index, round, run, token, history);
    if (!planned) continue;
    const { client, name, payload } = planned;
    stats.commands++;
    const phase = fac.view.phase;
    // Notes and comments are traced whether accepted or not: a refused one is stored nowhere.
    if (name === 'note:set' && payload.text) notes.push({ text: payload.text as string, author: client });
    if (name === 'evaluation:submit' && payload.comment) comments.push({ text: payload.comment as string, author: client });
    const ack = (await client.raw(name, payload)) as CommandAck;
    trace.push(`[${phase}] ${client.label} ${name} ${JSON.stringify(payload)} → ${JSON.stringify(ack)}`);
    stats.codes.set(ack.ok ? 'ok' : ack.code, (stats.codes.get(ack.ok ? 'ok' : ack.code) ?? 0) + 1);

    if (planned.original) {
      // The same command id again: the first answer, and nothing applied twice.
      stats.resends++;
      expect(ack).toEqual(planned.original.ack);
      continue;
    }
    if (!ack.ok) {
      expectRefusal(ack);
      // Well-formed commands are refused for the role or the round's rules only.
      expect(['FORBIDDEN', 'NOT_ALLOWED_NOW']).toContain(ack.code);
      if (client === round.board) expect(ack.code).toBe('FORBIDDEN');
      continue;
    }
    // (e) Accepted commands, sent one at a time, number the versions without gaps: every
    // refusal in between left the version as it was.
    expect(ack.seq).toBe(seq + 1);
    seq = ack.seq;
    stats.accepted++;
    history.push({ client, name, payload, ack });
    await caughtUp(seq);
    phasesSeen.add(fac.view.phase);
    if (name === 'contribution:add') contributed.push({ text: payload.text as string, author: client });
  }

  // Nothing happened after the last accepted command (no clock ran out: clocks are minutes long).
  await new Promise((r) => setTimeout(r, 20));
  expect(fac.seq).toBe(seq);
  for (const p of phasesSeen) stats.phases.set(p, (stats.phases.get(p) ?? 0) + 1);

  // (f) Every connection is alive and answered.
  for (const client of all) {
    expect(client.socket.connected).toBe(true);
    expect(await client.raw('time:sync')).toEqual({ ok: true, serverNow: expect.any(Number) });
  }

  // (g) Every client's view, built from patches, equals a full view for the same identity.
  for (const client of all) {
    const { fresh: again, view, seq: freshSeq } = await freshView(server.url, client);
    fresh.push(again);
    expect(freshSeq).toBe(seq);
    await client.until(() => client.seq >= freshSeq);
    expect(client.view).toEqual(view);
    stats.freshViews++;
  }

  // ---- What went over every wire ----
  const wires = [...all, ...fresh].map((client) => ({ client, lines: client.wire.map(parseWire), text: client.wire.join('\n') }));
  stats.wireMessages += wires.reduce((n, w) => n + w.lines.length, 0);
  const sameIdentity = (a: TestClient, b: TestClient) => JSON.stringify(a.auth) === JSON.stringify(b.auth);

  // Every client heard only views and patches (nobody was removed), and its versions only grow.
  for (const { client, lines } of wires) {
    for (const line of lines) expect(['session:view', 'session:patch'], `${client.label}: ${line.raw.slice(0, 80)}`).toContain(line.event);
    const seqs = lines.map((l) => l.seq).filter((s): s is number => s !== null);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  }

  // (d) No secret reaches any wire: facilitator key, board key, device tokens.
  const secrets = [keyOf(round.links.facilitator), keyOf(round.links.board), ...people.map((p) => (p.auth as { token: string }).token)];
  for (const secret of secrets) expect(secret.length).toBeGreaterThanOrEqual(16);
  for (const { client, text } of wires) {
    for (const secret of secrets) expect(text.includes(secret), `${client.label}'s wire carries a secret`).toBe(false);
  }

  // What each author's own view says about their contributions (they always see their own).
  const mineById = new Map<string, { author: TestClient; anonymous: boolean; phase: Phase; challengeId: string; text: string }>();
  for (const { text, author } of contributed) {
    const c = author.view.contributions.find((x) => x.text === text);
    expect(c, `${author.label} no longer sees their own contribution`).toBeDefined();
    expect(c!.mine).toBe(true);
    mineById.set(c!.id, { author, anonymous: c!.anonymous, phase: c!.phase, challengeId: c!.challengeId, text });
  }

  // (a) An anonymous contribution names its author to nobody but the author.
  for (const { client, lines } of wires) {
    for (const line of lines) {
      for (const c of contributionsIn(line)) {
        const truth = mineById.get(c.id);
        expect(truth, `${client.label} received an unknown contribution`).toBeDefined();
        const own = sameIdentity(client, truth!.author);
        expect(c.mine).toBe(own);
        if (!truth!.anonymous || own) continue;
        expect(c.authorId).toBeNull();
        expect(c.authorName).toBeNull();
        const json = JSON.stringify(c);
        expect(json).not.toContain(truth!.author.view.me.participantId!);
        expect(json).not.toContain(truth!.author.view.me.name!);
      }
    }
  }
  stats.anonymous += [...mineById.values()].filter((c) => c.anonymous).length;

  // (b) With hold-until-reveal, a reflect-phase text reaches nobody else before its challenge is
  // revealed (by the facilitator, or by leaving reflect). The facilitator saw every version.
  if (run.hideUntilReveal) {
    const revealedAt = new Map<string, number>();
    for (const m of fac.messages) {
      if (m.view.revealed && m.view.focusId && !revealedAt.has(m.view.focusId)) revealedAt.set(m.view.focusId, m.seq);
    }
    for (const c of mineById.values()) {
      if (c.phase !== 'reflect') continue;
      stats.held++;
      const reveal = revealedAt.get(c.challengeId) ?? Infinity;
      if (reveal !== Infinity) stats.heldRevealed++;
      for (const { client, lines } of wires) {
        if (sameIdentity(client, c.author)) continue;
        for (const line of lines) {
          if (line.seq !== null && line.seq < reveal) {
            expect(line.raw.includes(c.text), `${client.label} got a held reflection at v${line.seq}, revealed at v${reveal}`).toBe(false);
          }
        }
      }
    }
  }

  // (c) A private note reaches no one else, ever.
  for (const { text, author } of notes) {
    stats.notes++;
    for (const { client, text: wire } of wires) {
      if (!sameIdentity(client, author)) expect(wire.includes(text), `${client.label} got ${author.label}'s note`).toBe(false);
    }
  }

  // Evaluation comments: the author and (without a name) the facilitator, nobody else.
  for (const { text, author } of comments) {
    stats.comments++;
    for (const { client, text: wire } of wires) {
      if (sameIdentity(client, author) || client.view.me.role === 'facilitator') continue;
      expect(wire.includes(text), `${client.label} got ${author.label}'s evaluation comment`).toBe(false);
    }
  }
}

/** Turns a generated step into a concrete command from the current views (or null to skip). */
function plan(
  step: Step,
  index: number,
  round: Round,
  run: Run,
  token: (kind: string) => string,
  history: Sent[],
): { client: TestClient; name: CommandName; payload: Record<string, unknown>; original?: Sent } | null {
  const fac = round.facilitator;
  const people = round.participants;
  const participant = choose(people, step.who)!;
  const owner = people.find((p) => p.view.me.isOwner);
  const nonOwners = people.filter((p) => !p.view.me.isOwner);
  const bogus = step.bogus < 12;
  const id = (ids: string[]) => (bogus || !ids.length ? `no-such-id-${step.pick}` : choose(ids, step.pick)!);
  const challengeIds = fac.view.challenges.map((c) => c.id);
  // Unique per step: a repeated id would (rightly) get an earlier command's answer.
  const cid = `fz-${run.salt}-${index}`;
  const out = (client: TestClient, name: CommandName, fields: Record<string, unknown> = {}) => ({
    // A stray step comes from any client, whatever its role.
    client: step.stray < 12 ? choose(round.all, step.who + step.pick)! : client,
    name,
    payload: { cid, ...fields },
  });

  const op = opFor(step, fac.view.phase);
  switch (op) {
    case 'submit':
      return out(participant, 'challenge:submit', {
        title: token('title'),
        question: token('q'),
        ...(step.flag ? { context: token('ctx') } : {}),
      });
    case 'vote':
      return out(participant, 'vote:cast', { challengeId: id(challengeIds) });
    case 'retract':
      return out(participant, 'vote:retract', { challengeId: id(participant.view.me.votes.length ? participant.view.me.votes : challengeIds) });
    case 'start': {
      const rotated = challengeIds.map((_, i) => challengeIds[(i + step.pick) % challengeIds.length]!);
      const order = bogus ? [...rotated.slice(1), 'no-such-challenge'] : rotated.slice(0, 1 + (step.who % Math.max(1, rotated.length)));
      return out(fac, 'round:start', { shuffle: step.flag, ...(step.flag2 ? { order } : {}) });
    }
    case 'pick':
      return out(fac, 'challenge:pick', step.flag && !bogus ? {} : { challengeId: id(challengeIds) });
    case 'confirm':
      return out(owner ?? participant, 'challenge:confirm');
    case 'next':
      return out(fac, 'round:next');
    case 'back':
      return out(fac, 'round:back');
    case 'pause':
      return out(fac, 'round:pause');
    case 'resume':
      return out(fac, 'round:resume');
    case 'addTime': {
      // Never so much taken away that a clock runs out during the run: time-outs would make
      // the versions depend on timing.
      const t = fac.view.timer;
      const left = t.status === 'running' ? t.deadline - Date.now() : t.status === 'paused' ? t.remainingMs : 0;
      let ms = step.n;
      if (ms < 0 && (t.status === 'running' || t.status === 'paused')) ms = -Math.min(-ms, Math.max(0, left - 60_000));
      if (ms < 0 && t.status !== 'running' && t.status !== 'paused') ms = -ms;
      return out(fac, 'round:addTime', { ms });
    }
    case 'reveal':
      return out(fac, 'round:reveal');
    case 'contribute':
      return out(choose(nonOwners, step.who) ?? participant, 'contribution:add', {
        kind: choose(CONTRIBUTION_KINDS, step.pick),
        text: token('c'),
        anonymous: step.flag,
      });
    case 'hide': {
      const c = choose(fac.view.contributions, step.pick);
      return out(fac, 'contribution:hide', { contributionId: id(c ? [c.id] : []), hidden: c && !bogus ? !c.hidden : step.flag });
    }
    case 'useful': {
      const viewer = owner ?? participant;
      const onFocus = viewer.view.contributions.filter((c) => c.challengeId === viewer.view.focusId).map((c) => c.id);
      return out(viewer, 'contribution:markUseful', { contributionId: id(onFocus), useful: step.flag });
    }
    case 'stepAdd':
      return out(owner ?? participant, 'nextStep:add', { text: token('step') });
    case 'stepRemove': {
      const viewer = owner ?? participant;
      return out(viewer, 'nextStep:remove', { nextStepId: id(viewer.view.nextSteps.map((s) => s.id)) });
    }
    case 'note':
      return out(participant, 'note:set', { challengeId: id(challengeIds), text: step.flag2 ? '' : token('note') });
    case 'evaluate':
      return out(participant, 'evaluation:submit', {
        usefulness: 1 + (Math.abs(step.n) % 5),
        process: 1 + (step.pick % 5),
        comment: step.flag ? token('comment') : '',
      });
    case 'lock':
      return out(fac, 'session:lock', { locked: step.flag });
    case 'resend': {
      const original = choose(history, step.pick);
      if (!original) return null;
      return { client: original.client, name: original.name, payload: original.payload, original };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Known server bugs found by this fuzzing. Each test states the behaviour the protocol promises
// and is marked `fails` while the server does not keep the promise: it turns red once the bug is
// fixed, so the marker (and this note) can go.
// ---------------------------------------------------------------------------------------------

describe('fuzz: faults found earlier stay fixed', () => {
  let round: Round | undefined;
  afterAll(() => round?.close());

  // Found by fuzzing: the ack was read from a fixed argument position, so a command with only an
  // ack, one with an extra argument, or `time:sync` with a payload was never answered.
  it('every event that carries an ack is answered, whatever comes before the ack', async () => {
    round = await openRound(server.url, { title: 'Arity' }, ['Ada']);
    const [ada] = round.participants as [TestClient];
    const cases: [TestClient, string, ...unknown[]][] = [
      [round.facilitator, 'round:next'],
      [ada, 'note:set'],
      // Well-formed but refused anyway (not locked yet), so a fix cannot change the session.
      [round.facilitator, 'session:lock', { cid: 'arity-case-1', locked: false }, 'extra'],
      [ada, 'time:sync', {}],
      [ada, 'time:sync', null],
      [round.board, 'session:sync'],
    ];
    const answers = await Promise.all(cases.map(([client, event, ...args]) => answerWithin(client, 1000, event, ...args)));
    const unanswered = cases
      .filter((_, i) => answers[i] === 'no answer')
      .map(([client, event, ...args]) => `${client.label}: emit('${event}', ${[...args.map((a) => JSON.stringify(a)), 'ack'].join(', ')})`);
    // Still alive and unchanged.
    expect(await round.facilitator.raw('time:sync')).toMatchObject({ ok: true });
    expect(round.facilitator.view.settings.locked).toBe(false);
    expect(unanswered, 'never answered').toEqual([]);
    for (const answer of answers) expect(answer).toMatchObject({ ok: expect.any(Boolean) });
  }, 20_000);

  // Found by fuzzing: zod's message for unknown fields listed their names, so a 13 000-character
  // field name came back in the refusal.
  it('a refusal does not echo the payload back, however long its field names', async () => {
    round ??= await openRound(server.url, { title: 'Echo' }, ['Ada']);
    const fac = round.facilitator;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 600, max: 13_000 }), fc.constantFrom(...COMMAND_NAMES), async (length, name) => {
        const key = 'k'.repeat(length);
        const ack = await fac.raw(name, { cid: 'echo-case-1', [key]: true });
        expectRefusal(ack, 'BAD_REQUEST');
        expect(ack.message.length).toBeLessThanOrEqual(500);
        expect(ack.message).not.toContain(key);
      }),
      { numRuns: 20, endOnFailure: true },
    );
  }, 20_000);
});
