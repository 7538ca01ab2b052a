/**
 * Renders the benchmark's chart as a self-contained SVG from a results file.
 *
 *   npx tsx tests/bench/chart.ts [results/latest.json] [results/chart.svg]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type Pct = { p50: number | null; p95: number | null; p99: number | null; max: number | null };
interface ResultsLike {
  quick: boolean;
  startedAt: string;
  machine: { nproc: number; cpuModel: string };
  loadAverage: { start: number[] };
  options: { sessions: number; participants: number; rate: number; burstRate: number };
  ours: { steady: { result: { fanout: Pct } }; burst: { result: { fanout: Pct } } | null } | null;
  bare: { steady: { result: { fanout: Pct } }; burst: { result: { fanout: Pct } } | null } | null;
  oursRamp: { steps: { connections: number; fanout: Pct }[] } | null;
  bareRamp: { steps: { connections: number; fanout: Pct }[] } | null;
}

const COLORS = { ours: '#1f6feb', bare: '#9a6700', target: '#cf222e', grid: '#d0d7de', text: '#24292f', muted: '#57606a' };
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (ms: number) => (ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : ms >= 10 ? `${Math.round(ms)} ms` : `${+ms.toFixed(1)} ms`);

/** A log10 scale over [lo, hi] ms onto [y0 (bottom), y1 (top)]. */
function logScale(lo: number, hi: number, y0: number, y1: number) {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  return (v: number) => y0 - ((Math.log10(Math.max(lo, Math.min(hi, v))) - a) / (b - a)) * (y0 - y1);
}

function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
  return out.filter((v) => v >= lo && v <= hi);
}

function bounds(values: number[]): [number, number] {
  const pos = values.filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(0.5, ...pos)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(200, ...pos)));
  return [lo, hi];
}

export function renderChart(r: ResultsLike): string {
  const W = 920;
  const parts: string[] = [];
  const text = (x: number, y: number, s: string, attrs = '') => parts.push(`<text x="${x}" y="${y}" ${attrs}>${esc(s)}</text>`);
  const line = (x1: number, y1: number, x2: number, y2: number, attrs: string) =>
    parts.push(`<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" ${attrs}/>`);

  const title = `Kollegium vs bare Socket.IO: ${r.options.sessions} sessions × ${r.options.participants} participants, ${r.options.rate}/s steady, ${r.options.burstRate}/s burst${r.quick ? ' (QUICK RUN)' : ''}`;
  text(20, 28, title, 'font-size="16" font-weight="600"');
  text(20, 48, `${r.machine.nproc} × ${r.machine.cpuModel}, ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, load average at start ${r.loadAverage.start[0]}`, `font-size="12" fill="${COLORS.muted}"`);
  // Legend
  parts.push(`<rect x="${W - 230}" y="38" width="12" height="12" fill="${COLORS.ours}"/>`);
  text(W - 212, 49, 'Kollegium', 'font-size="12"');
  parts.push(`<rect x="${W - 140}" y="38" width="12" height="12" fill="${COLORS.bare}"/>`);
  text(W - 122, 49, 'bare Socket.IO', 'font-size="12"');

  // Panel 1: fan-out percentiles, log scale.
  const P1 = { x0: 70, x1: W - 20, top: 90, bottom: 340 };
  const keys = ['p50', 'p95', 'p99', 'max'] as const;
  const groups: { label: string; ours: number | null; bare: number | null }[] = [];
  for (const scenario of ['steady', 'burst'] as const) {
    for (const k of keys) {
      const o = r.ours?.[scenario]?.result.fanout[k] ?? null;
      const b = r.bare?.[scenario]?.result.fanout[k] ?? null;
      groups.push({ label: `${scenario} ${k}`, ours: o, bare: b });
    }
  }
  const [lo1, hi1] = bounds(groups.flatMap((g) => [g.ours ?? 0, g.bare ?? 0]));
  const y1 = logScale(lo1, hi1, P1.bottom, P1.top);
  text(P1.x0, P1.top - 10, 'End-to-end fan-out latency (send → every other screen of the session), log scale', 'font-size="13" font-weight="600"');
  for (const d of decades(lo1, hi1)) {
    line(P1.x0, y1(d), P1.x1, y1(d), `stroke="${COLORS.grid}"`);
    text(P1.x0 - 6, y1(d) + 4, fmt(d), `font-size="11" text-anchor="end" fill="${COLORS.muted}"`);
  }
  const targetLabelsEarly: [number, string][] = [];
  for (const [ms, label] of [
    [25, 'steady p99 target 25 ms'],
    [100, 'burst p99 target 100 ms'],
  ] as const) {
    line(P1.x0, y1(ms), P1.x1, y1(ms), `stroke="${COLORS.target}" stroke-dasharray="5 4"`);
    targetLabelsEarly.push([y1(ms), label]);
  }
  const gw = (P1.x1 - P1.x0) / groups.length;
  groups.forEach((g, i) => {
    const gx = P1.x0 + i * gw;
    const bw = gw * 0.32;
    for (const [j, key] of (['ours', 'bare'] as const).entries()) {
      const v = g[key];
      const x = gx + gw * 0.16 + j * bw;
      if (v === null) continue;
      const y = y1(v);
      parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(P1.bottom - y).toFixed(1)}" fill="${COLORS[key]}"/>`);
      text(x + bw / 2 - 1, y - 3, fmt(v), `font-size="9" text-anchor="middle" fill="${COLORS.text}" stroke="#fff" stroke-width="3" paint-order="stroke"`);
    }
    text(gx + gw / 2, P1.bottom + 16, g.label, `font-size="11" text-anchor="middle"`);
  });
  line(P1.x0, P1.bottom, P1.x1, P1.bottom, `stroke="${COLORS.text}"`);
  // Target labels last, with a white halo, so no bar hides them.
  for (const [y, label] of targetLabelsEarly) text(P1.x1 - 4, y - 4, label, `font-size="10" text-anchor="end" fill="${COLORS.target}" stroke="#fff" stroke-width="3" paint-order="stroke"`);

  // Panel 2: ramp, p99 by connections held.
  const P2 = { x0: 70, x1: W - 20, top: 410, bottom: 650 };
  const series = [
    { key: 'ours' as const, steps: r.oursRamp?.steps ?? [] },
    { key: 'bare' as const, steps: r.bareRamp?.steps ?? [] },
  ];
  const all = series.flatMap((s) => s.steps);
  const maxX = Math.max(10_000, ...all.map((s) => s.connections)) * 1.05;
  const [lo2, hi2] = bounds(all.map((s) => s.fanout.p99 ?? 0));
  const y2 = logScale(lo2, hi2, P2.bottom, P2.top);
  const x2 = (c: number) => P2.x0 + (c / maxX) * (P2.x1 - P2.x0);
  text(P2.x0, P2.top - 10, 'Ramp: fan-out p99 as sessions are added (same rate per session), log scale', 'font-size="13" font-weight="600"');
  for (const d of decades(lo2, hi2)) {
    line(P2.x0, y2(d), P2.x1, y2(d), `stroke="${COLORS.grid}"`);
    text(P2.x0 - 6, y2(d) + 4, fmt(d), `font-size="11" text-anchor="end" fill="${COLORS.muted}"`);
  }
  const stepX = maxX > 40_000 ? 10_000 : maxX > 8000 ? 2000 : maxX > 2000 ? 500 : 100;
  for (let c = 0; c <= maxX; c += stepX) text(x2(c), P2.bottom + 16, c.toLocaleString('en'), `font-size="11" text-anchor="middle" fill="${COLORS.muted}"`);
  text((P2.x0 + P2.x1) / 2, P2.bottom + 34, 'connections (facilitator + board + participants of every session)', 'font-size="11" text-anchor="middle"');
  line(P2.x0, y2(100), P2.x1, y2(100), `stroke="${COLORS.target}" stroke-dasharray="5 4"`);
  text(P2.x1 - 4, y2(100) - 4, 'p99 limit 100 ms', `font-size="10" text-anchor="end" fill="${COLORS.target}" stroke="#fff" stroke-width="3" paint-order="stroke"`);
  line(x2(10_000), P2.top, x2(10_000), P2.bottom, `stroke="${COLORS.target}" stroke-dasharray="5 4"`);
  text(x2(10_000) + 4, P2.top + 12, 'target 10,000', `font-size="10" fill="${COLORS.target}"`);
  for (const s of series) {
    const pts = s.steps.filter((p) => p.fanout.p99 !== null).map((p) => `${x2(p.connections).toFixed(1)},${y2(p.fanout.p99!).toFixed(1)}`);
    if (pts.length > 1) parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${COLORS[s.key]}" stroke-width="2"/>`);
    for (const p of pts) {
      const [cx, cy] = p.split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="${COLORS[s.key]}"/>`);
    }
  }
  line(P2.x0, P2.bottom, P2.x1, P2.bottom, `stroke="${COLORS.text}"`);

  const H = 700;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" fill="${COLORS.text}">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const input = process.argv[2] ?? path.join(here, 'results/latest.json');
  const output = process.argv[3] ?? path.join(here, 'results/chart.svg');
  fs.writeFileSync(output, renderChart(JSON.parse(fs.readFileSync(input, 'utf8')) as ResultsLike));
  console.log(`wrote ${output}`);
}
