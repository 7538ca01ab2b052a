/**
 * What a participant's phone downloads before the participant page can render: the entry chunk
 * from index.html, the lazy participant page chunk, and every chunk either imports statically,
 * plus their CSS — gzipped with node:zlib. Also checks that none of those chunks carries
 * facilitator-only or board-only code. Reported by every client build (the plugin in
 * vite.config.ts) and by `npm run bench`.
 *
 *   npx tsx client/weight.ts   (after `npm run build -w client`)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
export const CLIENT_DIR = here;

export interface WeightFile {
  file: string;
  role: 'entry' | 'participant page' | 'static import' | 'css' | 'locale (lazy, not counted)';
  bytes: number;
  gzip: number;
}

export interface ClientWeight {
  method: 'manifest' | 'index.html';
  files: WeightFile[];
  jsGzip: number;
  cssGzip: number;
  jsBytes: number;
  /** One locale chunk (the default language), loaded lazily after the entry; reported, not counted. */
  localeGzip: number | null;
  separation: {
    markers: number;
    ok: boolean;
    found: { marker: string; file: string; from: string }[];
    /** Control: how many markers the facilitator and board chunks do contain (0 would make the check meaningless). */
    controlHits: number;
  };
}

const gz = (buf: Buffer) => gzipSync(buf, { level: 9 }).length;

/** Static imports (`import … from "./x.js"`, `import "./x.js"`, `export … from`) of a built chunk. */
function staticImports(code: string): string[] {
  const out = new Set<string>();
  const re = /(?:^|[;\s}])(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?(["'`])([^"'`]+\.js)\1/g;
  for (const m of code.matchAll(re)) out.add(m[2]!);
  return [...out];
}

function resolveAsset(dist: string, fromFile: string, spec: string): string {
  return spec.startsWith('/') ? path.join(dist, spec) : path.resolve(path.dirname(fromFile), spec);
}

function closure(dist: string, roots: string[]): string[] {
  const seen = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file) || !fs.existsSync(file)) return;
    seen.add(file);
    for (const spec of staticImports(fs.readFileSync(file, 'utf8'))) walk(resolveAsset(dist, file, spec));
  };
  roots.forEach(walk);
  return [...seen];
}

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

function fromManifest(dist: string): { entry: string; page: string; js: string[]; css: string[]; locale: string | null } | null {
  const file = path.join(dist, '.vite/manifest.json');
  if (!fs.existsSync(file)) return null;
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, ManifestChunk>;
  const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry);
  const pageKey = Object.keys(manifest).find((k) => /pages\/ParticipantPage\.[jt]sx?$/.test(k));
  if (!entryKey || !pageKey) return null;
  const js = new Set<string>();
  const css = new Set<string>();
  const walk = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || js.has(chunk.file)) return;
    js.add(chunk.file);
    chunk.css?.forEach((c) => css.add(c));
    chunk.imports?.forEach(walk);
  };
  walk(entryKey);
  walk(pageKey);
  // The catalog is imported with a query (`en.json?lingui`: compiled at build time).
  const localeKey = Object.keys(manifest).find((k) => /locales\/en\.json(?:\?.*)?$/.test(k));
  return {
    entry: path.join(dist, manifest[entryKey]!.file),
    page: path.join(dist, manifest[pageKey]!.file),
    js: [...js].map((f) => path.join(dist, f)),
    css: [...css].map((f) => path.join(dist, f)),
    locale: localeKey ? path.join(dist, manifest[localeKey]!.file) : null,
  };
}

function fromIndexHtml(dist: string): { entry: string; page: string; js: string[]; css: string[]; locale: string | null } {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const script = /<script[^>]*type="module"[^>]*src="([^"]+)"/.exec(html)?.[1];
  if (!script) throw new Error('no module script in client/dist/index.html');
  const entry = path.join(dist, script);
  const entryCode = fs.readFileSync(entry, 'utf8');
  const pageSpec = /import\(\s*(["'`])([^"'`]*ParticipantPage[^"'`]*\.js)\1\s*\)/.exec(entryCode)?.[2];
  if (!pageSpec) throw new Error('no lazy ParticipantPage chunk imported by the entry');
  const page = resolveAsset(dist, entry, pageSpec);
  const js = closure(dist, [entry, page]);
  const css = new Set<string>();
  for (const m of html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)) css.add(path.join(dist, m[1]!));
  // A lazy chunk's CSS is preloaded through Vite's __vite__mapDeps list next to its import().
  const deps = /__vite__mapDeps=\([^]*?m\.f=(\[[^\]]*\])/.exec(entryCode)?.[1];
  const call = new RegExp(`${pageSpec.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\1?\\)\\s*,\\s*__vite__mapDeps\\((\\[[\\d,\\s]*\\])\\)`).exec(
    entryCode.replace(/[`'"]/g, '"'),
  );
  if (deps && call) {
    const list = JSON.parse(deps) as string[];
    for (const i of JSON.parse(call[2] ?? call[1]!) as number[]) if (list[i]?.endsWith('.css')) css.add(path.join(dist, list[i]!));
  }
  const localeSpec = /import\(\s*(["'`])(\.\/en-[\w-]+\.js)\1\s*\)/.exec(entryCode)?.[2];
  return { entry, page, js, css: [...css], locale: localeSpec ? resolveAsset(dist, entry, localeSpec) : null };
}

/** String literals of facilitator and board code that no other client source uses: class names, i18n keys. */
function exclusiveMarkers(src: string): { marker: string; from: string }[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(tsx?|jsx?)$/.test(e.name)) files.push(p);
    }
  };
  walk(src);
  const literals = (file: string) => {
    const code = fs.readFileSync(file, 'utf8');
    const out = new Set<string>();
    for (const m of code.matchAll(/(["'`])([A-Za-z][\w.-]{4,80})\1/g)) out.add(m[2]!);
    return out;
  };
  const isRolePage = (f: string) => /pages[/\\](facilitator|board)[/\\]|pages[/\\](FacilitatorPage|BoardPage)\./.test(f);
  // Anything another page or shared component mentions (even inside a longer class list) is not exclusive.
  const others = files
    .filter((f) => !isRolePage(f))
    .map((f) => fs.readFileSync(f, 'utf8'))
    .join('\n');
  const markers = new Map<string, string>();
  for (const f of files.filter(isRolePage)) {
    for (const l of literals(f)) {
      // Class names and i18n keys: distinctive enough not to occur by chance in library code.
      if (!/[.-]/.test(l) || others.includes(l) || l.endsWith('.js')) continue;
      markers.set(l, path.relative(src, f));
    }
  }
  // The board's QR code library.
  markers.set('Kanji', 'qrcode (board only)');
  return [...markers].map(([marker, from]) => ({ marker, from }));
}

export function measureClientWeight(clientDir = CLIENT_DIR): ClientWeight {
  const dist = path.join(clientDir, 'dist');
  const manifest = fromManifest(dist);
  const found = manifest ?? fromIndexHtml(dist);
  const files: WeightFile[] = [];
  for (const f of found.js) {
    const buf = fs.readFileSync(f);
    files.push({
      file: path.relative(dist, f),
      role: f === found.entry ? 'entry' : f === found.page ? 'participant page' : 'static import',
      bytes: buf.length,
      gzip: gz(buf),
    });
  }
  for (const f of found.css) {
    const buf = fs.readFileSync(f);
    files.push({ file: path.relative(dist, f), role: 'css', bytes: buf.length, gzip: gz(buf) });
  }
  let localeGzip: number | null = null;
  if (found.locale && fs.existsSync(found.locale)) {
    const buf = fs.readFileSync(found.locale);
    localeGzip = gz(buf);
    files.push({ file: path.relative(dist, found.locale), role: 'locale (lazy, not counted)', bytes: buf.length, gzip: localeGzip });
  }
  const markers = exclusiveMarkers(path.join(clientDir, 'src'));
  const hits: ClientWeight['separation']['found'] = [];
  for (const f of found.js) {
    const code = fs.readFileSync(f, 'utf8');
    for (const { marker, from } of markers) if (code.includes(marker)) hits.push({ marker, file: path.relative(dist, f), from });
  }
  // Control: the same markers must be found in the facilitator's and the board's own chunks.
  const entryCode = fs.readFileSync(found.entry, 'utf8');
  const roleChunks = [...entryCode.matchAll(/import\(\s*(["'`])([^"'`]*(?:FacilitatorPage|BoardPage)[^"'`]*\.js)\1\s*\)/g)].map((m) =>
    resolveAsset(dist, found.entry, m[2]!),
  );
  const roleCode = closure(dist, roleChunks)
    .filter((f) => !found.js.includes(f))
    .map((f) => fs.readFileSync(f, 'utf8'))
    .join('\n');
  const controlHits = markers.filter(({ marker }) => roleCode.includes(marker)).length;
  const counted = files.filter((f) => f.role !== 'locale (lazy, not counted)');
  return {
    method: manifest ? 'manifest' : 'index.html',
    files,
    jsGzip: counted.filter((f) => f.role !== 'css').reduce((n, f) => n + f.gzip, 0),
    jsBytes: counted.filter((f) => f.role !== 'css').reduce((n, f) => n + f.bytes, 0),
    cssGzip: counted.filter((f) => f.role === 'css').reduce((n, f) => n + f.gzip, 0),
    localeGzip,
    separation: { markers: markers.length, ok: hits.length === 0 && controlHits > 0, found: hits, controlHits },
  };
}

/** Gzipped JavaScript a participant's phone may load before its page renders (bytes). */
export const PARTICIPANT_JS_BUDGET = 100_000;

/** One line for a build log: the weight, its budget and the separation check. */
export function describeClientWeight(w: ClientWeight): string {
  const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;
  const chunks = w.files.filter((f) => f.role !== 'css' && !f.role.startsWith('locale')).length;
  const separation = w.separation.ok
    ? 'no facilitator or board code'
    : w.separation.controlHits === 0
      ? 'separation check found no markers in the facilitator and board chunks either'
      : `facilitator or board code found: ${w.separation.found.map((h) => `${h.marker} (${h.from}) in ${h.file}`).join(', ')}`;
  const over = w.jsGzip > PARTICIPANT_JS_BUDGET ? ` — OVER the budget of ${kB(PARTICIPANT_JS_BUDGET)}` : ` (budget ${kB(PARTICIPANT_JS_BUDGET)})`;
  return `participant entry: ${kB(w.jsGzip)} JS${over} + ${kB(w.cssGzip)} CSS gzipped, ${chunks} chunks; ${separation}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(measureClientWeight(), null, 2));
}
