/**
 * Prints the figures of a results file as Markdown tables, for docs/benchmarks.md.
 *
 *   npx tsx tests/bench/markdown.ts [tests/bench/results/latest.json]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtBytes, fmtMs, fmtRatio, fmtRssPoints, fmtThreads } from './stats.js';

/** A results file read back: shaped by run.ts, read loosely here. */
type R = any;

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const table = (head: string[], rows: (string | number)[][]) =>
  [row(head), row(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(row)].join('\n');

export function renderMarkdown(r: R): string {
  const out: string[] = [];
  if (r.quick) out.push('**Quick run** (`--quick`): a smoke test, not comparable with the targets.');
  const o = r.ours;
  const b = r.bare;
  const lost = (m: R) =>
    m ? `${m.result.lost.toLocaleString('en')} of ${m.result.expectedReceipts.toLocaleString('en')}${m.result.lost ? ` (${m.result.lateAfterGrace ?? '?'} came later, ${m.result.neverArrived ?? '?'} never)` : ''}` : '—';
  const load = (label: string, key: 'steady' | 'burst') => {
    const mo = o?.[key];
    const mb = b?.[key];
    if (!mo && !mb) return [];
    const pct = (which: 'fanout' | 'ack', k: string) => [
      `${label}: ${which === 'fanout' ? 'fan-out' : 'durable ack'} ${k}`,
      fmtMs(mo?.result[which][k]),
      fmtMs(mb?.result[which][k]),
      fmtRatio(mo?.result[which][k], mb?.result[which][k]),
    ];
    return [
      [`${label}: contributions sent`, mo ? `${mo.result.sent.toLocaleString('en')} (${mo.result.achievedRate}/s)` : '—', mb ? `${mb.result.sent.toLocaleString('en')} (${mb.result.achievedRate}/s)` : '—', ''],
      pct('fanout', 'p50'),
      pct('fanout', 'p95'),
      pct('fanout', 'p99'),
      pct('fanout', 'max'),
      pct('ack', 'p50'),
      pct('ack', 'p99'),
      [`${label}: receipts lost (after ${r.options.grace} s grace)`, lost(mo), lost(mb), ''],
      [`${label}: server CPU, average / peak (1 core = 100%)`, mo ? `${mo.server.cpuAvgPct}% / ${mo.server.cpuPeakPct}%` : '—', mb ? `${mb.server.cpuAvgPct}% / ${mb.server.cpuPeakPct}%` : '—', fmtRatio(mo?.server.cpuAvgPct, mb?.server.cpuAvgPct)],
      [`${label}: server CPU, event loop / database thread`, fmtThreads(mo?.server), fmtThreads(mb?.server), fmtRatio(mo?.server.eventLoopAvgPct, mb?.server.eventLoopAvgPct)],
      [`${label}: server RSS, peak`, fmtBytes(mo?.server.rssPeak), fmtBytes(mb?.server.rssPeak), fmtRatio(mo?.server.rssPeak, mb?.server.rssPeak)],
      [`${label}: server event-loop delay, p99 / max`, mo ? `${fmtMs(mo.server.eventLoopDelay?.p99)} / ${fmtMs(mo.server.eventLoopDelay?.max)}` : '—', mb ? `${fmtMs(mb.server.eventLoopDelay?.p99)} / ${fmtMs(mb.server.eventLoopDelay?.max)}` : '—', ''],
      [`${label}: generator CPU; other processes (cores)`, mo ? `${mo.result.generator.cpuPct}%; ${mo.machine?.othersCores ?? '—'}` : '—', mb ? `${mb.result.generator.cpuPct}%; ${mb.machine?.othersCores ?? '—'}` : '—', ''],
    ];
  };
  const rows: (string | number)[][] = [];
  if (o || b) {
    const m = (x: R, f: (x: R) => string) => (x ? f(x) : '—');
    rows.push(['sessions / connections', m(o, (x) => `${x.setup.sessions} / ${x.setup.connections.toLocaleString('en')}`), m(b, (x) => `${x.setup.sessions} / ${x.setup.connections.toLocaleString('en')}`), '']);
    rows.push(['setup: create sessions, join, connect', m(o, (x) => fmtMs(x.setup.ms)), m(b, (x) => fmtMs(x.setup.ms)), fmtRatio(o?.setup.ms, b?.setup.ms)]);
    rows.push(['server RSS: empty / half / all connected / after steady', m(o, (x) => fmtRssPoints(x.memory)), m(b, (x) => fmtRssPoints(x.memory)), '']);
    rows.push(['memory per idle connection: RSS (heap)', m(o, (x) => `${fmtBytes(x.memory.perIdleConnection)} (${fmtBytes(x.memory.perIdleConnectionHeap)})`), m(b, (x) => `${fmtBytes(x.memory.perIdleConnection)} (${fmtBytes(x.memory.perIdleConnectionHeap)})`), fmtRatio(o?.memory.perIdleConnection, b?.memory.perIdleConnection)]);
    rows.push(['memory per active session: RSS (heap)', m(o, (x) => `${fmtBytes(x.memory.perActiveSession)} (${fmtBytes(x.memory.perActiveSessionHeap)})`), m(b, (x) => `${fmtBytes(x.memory.perActiveSession)} (${fmtBytes(x.memory.perActiveSessionHeap)})`), fmtRatio(o?.memory.perActiveSession, b?.memory.perActiveSession)]);
    rows.push(['memory per session with its connections: RSS', m(o, (x) => fmtBytes(x.memory.perSessionWithConnections)), m(b, (x) => fmtBytes(x.memory.perSessionWithConnections)), fmtRatio(o?.memory.perSessionWithConnections, b?.memory.perSessionWithConnections)]);
    rows.push(...load('steady', 'steady'), ...load('burst', 'burst'));
  }
  const ramp = (x: R) => (x ? `${x.held ? `${x.held.sessions} sessions, ${x.held.connections.toLocaleString('en')} connections` : 'none'} (stopped: ${x.stopReason})` : '—');
  if (r.oursRamp || r.bareRamp) rows.push(['ramp: most held at p99 ≤ 100 ms, nothing lost', ramp(r.oursRamp), ramp(r.bareRamp), fmtRatio(r.oursRamp?.held?.connections, r.bareRamp?.held?.connections)]);
  if (rows.length) out.push(table(['figure', 'Kollegium', 'bare Socket.IO', 'Kollegium ÷ bare'], rows));

  const steps = [...(r.oursRamp?.steps ?? []).map((s: R) => ['Kollegium', s]), ...(r.bareRamp?.steps ?? []).map((s: R) => ['bare', s])];
  if (steps.length)
    out.push(
      table(
        ['ramp step', 'sessions', 'connections', 'rate', 'fan-out p50', 'p99', 'max', 'lost', 'server CPU', 'generator CPU'],
        steps.map(([k, s]: [string, R]) => [k, s.sessions, s.connections.toLocaleString('en'), `${s.rate}/s`, fmtMs(s.fanout.p50), fmtMs(s.fanout.p99), fmtMs(s.fanout.max), s.lost, `${s.serverCpuPct}%`, `${s.generatorCpuPct}%`]),
      ),
    );

  if (r.restart) {
    const x = r.restart;
    const rr = (g: R) => [
      `${g.signal}`,
      fmtMs(g.exitMs),
      fmtMs(g.readyMs),
      g.startup ? `${fmtMs(g.startup.wrapperAtMs)} / ${fmtMs(g.startup.mainLoadedAtMs)}` : '—',
      fmtMs(g.resync99Ms),
      fmtMs(g.resync100Ms),
      `${g.resynced} of ${g.clients} (${g.resyncedBy.view} by view, ${g.resyncedBy.patch} by patch)`,
      g.verdict,
    ];
    out.push(
      table(
        [`restart, ${x.sessions} sessions`, 'old process gone', '/healthz answers', 'new process: wrapper / store open', '99% caught up', '100%', 'caught up', 'verdict'],
        [rr(x), ...(x.graceful ? [rr(x.graceful)] : [])],
      ),
    );
  }

  if (r.client && 'jsGzip' in r.client) {
    const c = r.client;
    out.push(
      table(
        ['participant entry file', 'role', 'bytes', 'gzipped'],
        [
          ...c.files.map((f: R) => [`\`${f.file}\``, f.role, f.bytes.toLocaleString('en'), f.gzip.toLocaleString('en')]),
          ['**JS counted**', '', c.jsBytes.toLocaleString('en'), `**${c.jsGzip.toLocaleString('en')}**`],
          ['**CSS**', '', '', `**${c.cssGzip.toLocaleString('en')}**`],
        ],
      ),
    );
  }

  out.push(table(['target', 'goal', 'measured', ''], r.targets.map((t: R) => [t.name, t.target, t.value, t.pass === null ? 'n/a' : t.pass ? 'PASS' : '**MISS**'])));
  return out.join('\n\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const file = process.argv[2] ?? path.join(here, 'results/latest.json');
  console.log(renderMarkdown(JSON.parse(fs.readFileSync(file, 'utf8'))));
}
