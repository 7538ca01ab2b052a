/**
 * Where a V8 CPU profile (node --cpu-prof) spent its time: self time by function and by area;
 * and, alike, where a sampled heap profile (--allocations) allocated its bytes.
 *
 *   npx tsx tests/bench/profile-top.ts tests/bench/results/profiles/<run>/<file>.cpuprofile
 *   npx tsx tests/bench/profile-top.ts tests/bench/results/profiles/<run>/<file>.heapprofile
 */
import fs from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  hitCount?: number;
  children?: number[];
}

/** Inclusive time: everything that ran below a frame of these files (the store, the fan-out, the round). */
const INCLUSIVE: [string, RegExp][] = [
  ['store (server/src/storage, PGlite)', /\/server\/src\/storage\//],
  ['fan-out (realtime/broadcast.ts, incl. encoding and socket writes)', /\/server\/src\/realtime\/broadcast\.ts$/],
  ['round machine (shared/src/engine.ts, machine.ts)', /\/shared\/src\/(engine|machine)\.ts$/],
  ['views and patches (shared/src/view.ts)', /\/shared\/src\/view\.ts$/],
  ['HTTP API (server/src/http)', /\/server\/src\/http\//],
];

/** A summary's parts, each amount under `K`: time (`ms`) for CPU profiles, `bytes` for allocations. */
export interface SummaryParts<K extends string> {
  byArea: ({ area: string; pct: number } & Record<K, number>)[];
  inclusive: ({ what: string; pct: number } & Record<K, number>)[];
  topFunctions: ({ fn: string; where: string; pct: number } & Record<K, number>)[];
}
export type ProfileSummary = { file: string; totalMs: number } & SummaryParts<'ms'>;
export type AllocationSummary = { file: string; bytes: number } & SummaryParts<'bytes'>;

/** The parts as lines of a report: the first `areas` areas and `top` functions. */
export function describeParts<K extends string>(s: SummaryParts<K>, { areas = 8, top = 8 } = {}): string[] {
  return [
    s.byArea.slice(0, areas).map((a) => `${a.area} ${a.pct}%`).join(', '),
    `inclusive: ${s.inclusive.map((a) => `${a.what} ${a.pct}%`).join(', ')}`,
    `top: ${s.topFunctions.slice(0, top).map((f) => `${f.fn} ${f.pct}%`).join(', ')}`,
  ];
}

/** A readable bucket for a frame: our code by file, libraries by package, V8's own pseudo-frames. */
function areaOf(url: string, fn: string): string {
  if (url.startsWith('wasm://')) return 'WebAssembly (PGlite)';
  if (!url) return fn.startsWith('(') ? fn : '(native: syscalls, JSON, …)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const ours = /\/(shared|server)\/src\/(.+)$/.exec(url);
  if (ours) return `${ours[1]}/src/${ours[2]}`;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return path.basename(url);
}

/**
 * Frames in a bundle (the production server, server/dist/main.js) mapped back to their sources
 * through the bundle's source map, so areas and files read as in server/src and shared/src.
 */
function mapToSources(nodes: ProfileNode[]): void {
  const maps = new Map<string, { map: SourceMap; dir: string } | null>();
  for (const node of nodes) {
    const { url, lineNumber, columnNumber = 0 } = node.callFrame;
    if (!url.startsWith('file://') || url.includes('/node_modules/')) continue;
    let found = maps.get(url);
    if (found === undefined) {
      const mapFile = `${fileURLToPath(url)}.map`;
      found = fs.existsSync(mapFile) ? { map: new SourceMap(JSON.parse(fs.readFileSync(mapFile, 'utf8'))), dir: path.dirname(mapFile) } : null;
      maps.set(url, found);
    }
    if (!found || lineNumber < 0) continue;
    const entry = found.map.findEntry(lineNumber, columnNumber) as { originalSource?: string; originalLine?: number };
    if (!entry.originalSource) continue;
    node.callFrame = { ...node.callFrame, url: pathToFileURL(path.resolve(found.dir, entry.originalSource)).href, lineNumber: entry.originalLine ?? lineNumber };
  }
}

export function summarizeProfile(file: string, top = 20): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const s = summarize(profile.nodes, selfUs, top);
  const ms = (us: number) => Math.round(us / 1000);
  return { file, totalMs: ms(s.total), ...inUnit(s, 'ms', ms) };
}

/** A sampled heap profile (HeapProfiler.stopSampling): a tree of frames, each with the bytes allocated in it. */
interface HeapProfileNode {
  id: number;
  callFrame: ProfileNode['callFrame'];
  selfSize: number;
  children: HeapProfileNode[];
}

/** Where a sampled heap profile's bytes were allocated: by area and function, as for CPU time. */
export function summarizeAllocations(file: string, top = 20): AllocationSummary {
  const { head } = JSON.parse(fs.readFileSync(file, 'utf8')) as { head: HeapProfileNode };
  const nodes: ProfileNode[] = [];
  const bytes = new Map<number, number>();
  const flatten = (node: HeapProfileNode) => {
    nodes.push({ id: node.id, callFrame: node.callFrame, children: node.children.map((c) => c.id) });
    bytes.set(node.id, node.selfSize);
    node.children.forEach(flatten);
  };
  flatten(head);
  const s = summarize(nodes, bytes, top);
  return { file, bytes: s.total, ...inUnit(s, 'bytes', (b) => b) };
}

/** summarize's parts with each amount converted and named `key`. */
function inUnit<K extends string>(s: ReturnType<typeof summarize>, key: K, convert: (self: number) => number): SummaryParts<K> {
  const amount = (self: number) => ({ [key]: convert(self) }) as Record<K, number>;
  return {
    byArea: s.byArea.map(({ area, self, pct }) => ({ area, pct, ...amount(self) })),
    inclusive: s.inclusive.map(({ what, self, pct }) => ({ what, pct, ...amount(self) })),
    topFunctions: s.topFunctions.map(({ fn, where, self, pct }) => ({ fn, where, pct, ...amount(self) })),
  };
}

/** Self amounts (microseconds, bytes) of a profile's frames, by area, below our files, and by function. */
function summarize(nodes: ProfileNode[], selfOf: Map<number, number>, top: number) {
  mapToSources(nodes);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const anchorsOf = new Map<number, Set<number>>();
  const anchors = (id: number): Set<number> => {
    let set = anchorsOf.get(id);
    if (set) return set;
    const up = parent.get(id);
    set = new Set(up === undefined ? [] : anchors(up));
    const url = byId.get(id)?.callFrame.url ?? '';
    INCLUSIVE.forEach(([, re], i) => re.test(url) && set!.add(i));
    anchorsOf.set(id, set);
    return set;
  };
  const inclusive = INCLUSIVE.map(() => 0);
  let total = 0;
  const fns = new Map<string, { fn: string; where: string; self: number }>();
  const areas = new Map<string, number>();
  for (const [id, self] of selfOf) {
    const node = byId.get(id);
    if (!node || !self) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    total += self;
    for (const i of anchors(id)) inclusive[i]! += self;
    const where = url ? `${url.replace(/^file:\/\//, '').replace(/.*\/(node_modules|server|shared|tests)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName}@${where}`;
    const entry = fns.get(key) ?? { fn: functionName || '(anonymous)', where, self: 0 };
    entry.self += self;
    fns.set(key, entry);
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + self);
  }
  const pct = (amount: number) => Math.round((amount / total) * 1000) / 10;
  return {
    total,
    byArea: [...areas]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([area, self]) => ({ area, self, pct: pct(self) })),
    inclusive: INCLUSIVE.map(([what], i) => ({ what, self: inclusive[i]!, pct: pct(inclusive[i]!) })),
    topFunctions: [...fns.values()]
      .sort((a, b) => b.self - a.self)
      .slice(0, top)
      .map((f) => ({ fn: f.fn, where: f.where, self: f.self, pct: pct(f.self) })),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: profile-top.ts <file.cpuprofile | file.heapprofile>');
    process.exit(2);
  }
  const parts = file.endsWith('.heapprofile') ? summarizeAllocations(file) : summarizeProfile(file);
  const heading = 'bytes' in parts ? `allocated ${(parts.bytes / 2 ** 20).toFixed(1)} MiB (sampled)` : `busy ${parts.totalMs} ms (idle excluded)`;
  console.log(`${heading}\n\nby area:`);
  for (const a of parts.byArea) console.log(`  ${String(a.pct).padStart(5)}%  ${a.area}`);
  console.log('\ninclusive (below frames of):');
  for (const a of parts.inclusive) console.log(`  ${String(a.pct).padStart(5)}%  ${a.what}`);
  console.log('\ntop functions (self):');
  for (const f of parts.topFunctions) console.log(`  ${String(f.pct).padStart(5)}%  ${f.fn}  ${f.where}`);
}
