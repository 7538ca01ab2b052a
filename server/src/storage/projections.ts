import type { RoundContext, RoundState, RoundEvent } from '@kollegium/shared';
import type { Queryable } from './db.js';

/**
 * The projection tables: rows derived from the round's state after each event, written in the
 * same transaction as the event, for export, deletion and queries (loading uses the snapshot
 * and the event log).
 */
export const PROJECTION_TABLES = [
  'participants',
  'challenges',
  'votes',
  'contributions',
  'next_steps',
  'notes',
  'evaluations',
] as const;
export type ProjectionTable = (typeof PROJECTION_TABLES)[number];

/** Every table that holds rows of a session, for deletion checks and exports. */
export const SESSION_TABLES = ['sessions', 'session_events', 'participant_tokens', ...PROJECTION_TABLES] as const;

interface Projection {
  /** The array in the round's context that the table mirrors. */
  source: keyof RoundContext;
  /** The element fields read, as jsonb_to_recordset column definitions. */
  fields: string;
  /** Table column → SQL expression over the element `r`; key columns first. */
  columns: Record<string, string>;
  /** The primary key besides `code`. */
  key: string[];
  /** Aggregate elements that share a key (votes: several dots on one challenge). */
  groupByKey?: boolean;
}

const ms = (field: string) => `to_timestamp(r."${field}" / 1000)`;

const PROJECTIONS: Record<ProjectionTable, Projection> = {
  participants: {
    source: 'participants',
    fields: `id text, name text, "joinedAt" float8, removed boolean`,
    columns: { id: 'r.id', name: 'r.name', joined_at: ms('joinedAt'), removed: 'coalesce(r.removed, false)' },
    key: ['id'],
  },
  challenges: {
    source: 'challenges',
    fields: `id text, "ownerId" text, title text, context text, question text, "submittedAt" float8`,
    columns: {
      id: 'r.id',
      owner_id: 'r."ownerId"',
      title: 'r.title',
      context: 'r.context',
      question: 'r.question',
      submitted_at: ms('submittedAt'),
    },
    key: ['id'],
  },
  votes: {
    source: 'votes',
    fields: `"participantId" text, "challengeId" text`,
    columns: { participant_id: 'r."participantId"', challenge_id: 'r."challengeId"', dots: 'count(*)::int' },
    key: ['participant_id', 'challenge_id'],
    groupByKey: true,
  },
  contributions: {
    source: 'contributions',
    fields: `id text, "challengeId" text, "authorId" text, kind text, text text, anonymous boolean, phase text, at float8, hidden boolean, useful boolean`,
    columns: {
      id: 'r.id',
      challenge_id: 'r."challengeId"',
      author_id: 'r."authorId"',
      kind: 'r.kind',
      text: 'r.text',
      anonymous: 'r.anonymous',
      phase: 'r.phase',
      at: ms('at'),
      hidden: 'r.hidden',
      useful: 'r.useful',
    },
    key: ['id'],
  },
  next_steps: {
    source: 'nextSteps',
    fields: `id text, "challengeId" text, text text, at float8`,
    columns: { id: 'r.id', challenge_id: 'r."challengeId"', text: 'r.text', at: ms('at') },
    key: ['id'],
  },
  notes: {
    source: 'notes',
    fields: `"participantId" text, "challengeId" text, text text`,
    columns: { participant_id: 'r."participantId"', challenge_id: 'r."challengeId"', text: 'r.text' },
    key: ['participant_id', 'challenge_id'],
  },
  evaluations: {
    source: 'evaluations',
    fields: `"participantId" text, usefulness int, process int, comment text`,
    columns: { participant_id: 'r."participantId"', usefulness: 'r.usefulness', process: 'r.process', comment: 'r.comment' },
    key: ['participant_id'],
  },
};

/**
 * One statement per table: $1 = session code, $2 = the context's whole array as JSON. Upserts its
 * items (skipping unchanged ones) and deletes rows no longer in it. Both parts touch disjoint rows,
 * so they share a statement.
 */
function syncStatement(table: ProjectionTable, p: Projection, guard = 'true'): string {
  const columns = Object.keys(p.columns);
  const rest = columns.filter((c) => !p.key.includes(c));
  const groupBy = p.groupByKey ? `GROUP BY ${p.key.map((k) => columns.indexOf(k) + 1).join(', ')}` : '';
  return `WITH src AS (
  SELECT ${columns.map((c) => `${p.columns[c]} AS ${c}`).join(', ')}
  FROM jsonb_to_recordset($2::jsonb) AS r(${p.fields})
  WHERE ${guard}
  ${groupBy}
), gone AS (
  DELETE FROM ${table} t
  WHERE ${guard} AND t.code = $1::text AND (${p.key.map((k) => `t.${k}`).join(', ')}) NOT IN (SELECT ${p.key.join(', ')} FROM src)
)
INSERT INTO ${table} (code, ${columns.join(', ')})
SELECT $1::text, ${columns.join(', ')} FROM src
ON CONFLICT (code, ${p.key.join(', ')}) DO UPDATE SET ${rest.map((c) => `${c} = excluded.${c}`).join(', ')}
WHERE (${rest.map((c) => `${table}.${c}`).join(', ')}) IS DISTINCT FROM (${rest.map((c) => `excluded.${c}`).join(', ')})`;
}

/** The event a statement of an append group belongs to went into the log: $3 its version, $4 its id. */
export const EVENT_WRITTEN = `EXISTS (SELECT 1 FROM session_events e WHERE e.code = $1::text AND e.seq = $3::integer AND e.event->>'id' = $4::text)`;

const STATEMENTS = Object.fromEntries(
  PROJECTION_TABLES.map((table) => [table, syncStatement(table, PROJECTIONS[table])]),
) as Record<ProjectionTable, string>;
const GUARDED = Object.fromEntries(
  PROJECTION_TABLES.map((table) => [table, syncStatement(table, PROJECTIONS[table], EVENT_WRITTEN)]),
) as Record<ProjectionTable, string>;

/**
 * The same sync as part of a group of appends: it writes only if the event it follows went into
 * the log (the group's insert skips an event whose version someone else wrote first).
 * $1 code, $2 the whole array, $3 and $4 the event's version and id.
 */
export function wholeSync(table: ProjectionTable, code: string, state: RoundState, event: { seq: number; id: string }) {
  return {
    name: `sync_${table}`,
    sql: GUARDED[table],
    params: [code, JSON.stringify(state.context[PROJECTIONS[table].source]), event.seq, event.id],
  };
}

/**
 * The upsert half of syncStatement for the rows of many sessions at once, as a part of a larger
 * statement: `rows` is a parameter holding a JSON array whose items carry their session's `code`;
 * only sessions listed by the query `codes` are written.
 */
export function upsertManyStatement(table: ProjectionTable, rows: string, codes: string): string {
  const p = PROJECTIONS[table];
  const columns = Object.keys(p.columns);
  const rest = columns.filter((c) => !p.key.includes(c));
  return `INSERT INTO ${table} (code, ${columns.join(', ')})
  SELECT r.code, ${columns.map((c) => p.columns[c]).join(', ')}
  FROM jsonb_to_recordset(${rows}::jsonb) AS r(code text, ${p.fields})
  WHERE r.code IN (${codes})
ON CONFLICT (code, ${p.key.join(', ')}) DO UPDATE SET ${rest.map((c) => `${c} = excluded.${c}`).join(', ')}
WHERE (${rest.map((c) => `${table}.${c}`).join(', ')}) IS DISTINCT FROM (${rest.map((c) => `excluded.${c}`).join(', ')})`;
}

/**
 * The projected arrays each event type can change, from the machine's actions; events not
 * listed (new ones) re-project every table, which is slower but never wrong. The server test
 * projections.test.ts drives every event type through the engine and checks this map.
 */
export const TOUCHES = {
  'participant:join': ['participants'],
  'participant:remove': ['participants', 'votes'],
  'session:lock': [],
  'challenge:submit': ['challenges'],
  'vote:cast': ['votes'],
  'vote:retract': ['votes'],
  'round:start': [],
  'challenge:pick': [],
  'challenge:confirm': [],
  'round:next': [],
  'round:back': [],
  'round:pause': [],
  'round:resume': [],
  'round:addTime': [],
  'round:reveal': [],
  'round:timeout': [],
  'contribution:add': ['contributions'],
  'contribution:hide': ['contributions'],
  'contribution:markUseful': ['contributions'],
  'nextStep:add': ['next_steps'],
  'nextStep:remove': ['next_steps'],
  'note:set': ['notes'],
  'evaluation:submit': ['evaluations'],
} satisfies Partial<Record<RoundEvent['type'], readonly ProjectionTable[]>>;

export function tablesTouchedBy(type: string): readonly ProjectionTable[] {
  return Object.hasOwn(TOUCHES, type) ? TOUCHES[type as keyof typeof TOUCHES] : PROJECTION_TABLES;
}

/** The context arrays behind each table, for tests that compare projections with snapshots. */
export const PROJECTION_SOURCES = Object.fromEntries(
  PROJECTION_TABLES.map((table) => [table, PROJECTIONS[table].source]),
) as Record<ProjectionTable, keyof RoundContext>;

/**
 * Event types after which a projected item may be gone from its array (a retracted dot, a removed
 * step, an emptied note, a removed person's dots): their tables are synced whole, with deletes.
 */
const REMOVES: ReadonlySet<string> = new Set(['vote:retract', 'nextStep:remove', 'note:set', 'participant:remove']);

/** What one event changes in the projection tables. */
export interface ProjectionWrite {
  /** Items that are new or changed, per table: upserted, nothing deleted. */
  upserts: [ProjectionTable, unknown[]][];
  /** Tables to bring in line with the whole state, deletions included. */
  whole: ProjectionTable[];
}

/**
 * What an event changes in the projections. With the state before the event (`prev`), only the
 * items that are new objects are written — the machine replaces exactly the items it changes —
 * so adding a contribution writes one row, however long the round. Without it, or after an event
 * that can remove items, the touched tables are synced whole.
 */
export function projectionWrite(type: string, state: RoundState, prev?: RoundState): ProjectionWrite {
  const write: ProjectionWrite = { upserts: [], whole: [] };
  for (const table of tablesTouchedBy(type)) {
    const { source, groupByKey } = PROJECTIONS[table];
    if (!prev || REMOVES.has(type) || groupByKey) {
      write.whole.push(table);
      continue;
    }
    const before = prev.context[source] as unknown[];
    const rows = (state.context[source] as unknown[]).filter((item, i) => before[i] !== item);
    if (rows.length) write.upserts.push([table, rows]);
  }
  return write;
}

/** Brings `tables` of session `code` in line with the whole of `state`, deletions included. */
export async function project(tx: Queryable, code: string, tables: readonly ProjectionTable[], state: RoundState): Promise<void> {
  for (const table of tables) {
    await tx.query(STATEMENTS[table], [code, JSON.stringify(state.context[PROJECTIONS[table].source])]);
  }
}
