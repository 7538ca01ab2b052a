/**
 * What a group of appends costs the event loop on the default store (PGlite on disk), by group
 * size: the figure behind the group commit's spacing (server/src/storage/sql-store.ts). Groups of
 * `size` contributions to different sessions, written one group after another; the baseline in
 * the same run is a group of one.
 *
 *   npm run bench:store -- --sessions=200 --appends=3000 --sizes=1,3,10,30
 *
 * CPU is read from /proc: the main thread's, which includes the engine applying each event as
 * the server does before it writes, and the database thread's (PGlite runs in a thread of its
 * own); not libuv's threads, which do the disk syncs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '@kollegium/server';
import { as, FACILITATOR, RoundDriver } from '../../server/test/round.js';
import { threadSeconds } from './procstat.js';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '200' },
    appends: { type: 'string', default: '3000' },
    sizes: { type: 'string', default: '1,3,10,30' },
  },
});
const SESSIONS = Number(values.sessions);
const APPENDS = Number(values.appends);
const SIZES = values.sizes.split(',').map(Number);

/** CPU time so far (ms) of the main thread and the database thread: /proc/self/task/<tid>/stat. */
function storeCpuMs(): number {
  const { eventLoop, database } = threadSeconds(process.pid);
  return (eventLoop + (database ?? 0)) * 1000;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kollegium-store-groups-'));
const store = await openStore({ dataDir: dir });
try {
  // Rounds in their presentation phase with 25 participants, as in `npm run bench`.
  const rounds: { driver: RoundDriver; participants: string[] }[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const driver = new RoundDriver(`BENCH${i}`);
    await store.create(driver.record);
    const participants = Array.from({ length: 25 }, (_, p) => driver.join(`P${p}`));
    driver.send('challenge:submit', { title: 'Hybrid team', context: 'Half remote', question: 'How do I keep them together?' }, as(participants[0]!), `c-${i}`);
    driver.send('round:start', { shuffle: false }, FACILITATOR);
    driver.send('challenge:pick', {}, FACILITATOR);
    driver.send('challenge:confirm', {}, as(participants[0]!));
    let prev = driver.initial;
    for (const step of driver.steps) {
      await store.append(driver.code, step.seq, step.event, step.state, step.token, prev);
      prev = step.state;
    }
    rounds.push({ driver, participants });
  }

  let sent = 0;
  const contribute = () => {
    const { driver, participants } = rounds[sent % SESSIONS]!;
    const prev = driver.state;
    const author = participants[1 + (sent++ % 24)]!;
    const step = driver.send('contribution:add', { kind: 'question', text: `What would you try first if the team said no? (${sent})`, anonymous: false }, as(author));
    return store.append(driver.code, step.seq, step.event, step.state, undefined, prev);
  };

  const rows: { size: number; groups: number; perGroup: number; perAppend: number; wall: number }[] = [];
  for (const size of SIZES) {
    const groups = Math.max(1, Math.round(APPENDS / size));
    // Warm-up: JIT and the statement of this group's shape.
    for (let i = 0; i < 20; i++) await Promise.all(Array.from({ length: size }, contribute));
    const cpu0 = storeCpuMs();
    const t0 = performance.now();
    for (let g = 0; g < groups; g++) await Promise.all(Array.from({ length: size }, contribute));
    const cpu = storeCpuMs() - cpu0;
    rows.push({ size, groups, perGroup: cpu / groups, perAppend: cpu / groups / size, wall: (performance.now() - t0) / groups });
  }

  const base = rows[0]!;
  console.log(`PGlite on disk, ${SESSIONS} sessions, ~${APPENDS} appends per group size; CPU of the main and database threads`);
  console.log('group size | groups | CPU per group | CPU per append | vs a group of one | wall per group');
  for (const r of rows) {
    console.log(
      [
        String(r.size).padStart(10),
        String(r.groups).padStart(6),
        `${r.perGroup.toFixed(2)} ms`.padStart(13),
        `${r.perAppend.toFixed(3)} ms`.padStart(14),
        `${(r.perAppend / base.perAppend).toFixed(2)}×`.padStart(17),
        `${r.wall.toFixed(2)} ms`.padStart(14),
      ].join(' | '),
    );
  }
  // A straight line through the first and last sizes: what a group costs besides its appends.
  const last = rows.at(-1)!;
  if (rows.length > 1 && last.size !== base.size) {
    const perItem = (last.perGroup - base.perGroup) / (last.size - base.size);
    console.log(`fixed cost per group ≈ ${(base.perGroup - perItem * base.size).toFixed(2)} ms, each append in it ≈ ${perItem.toFixed(3)} ms`);
  }
} finally {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
