/**
 * The production server: src/main.ts and the shared package bundled by esbuild into one ES
 * module, dist/main.js, so `npm start` runs plain JavaScript and compiles nothing at start; the
 * embedded database's thread (src/storage/pglite-worker.ts) likewise into dist/pglite-worker.js.
 *
 *   npm run build -w server
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * How Node runs dist/main.js — `npm start` (package.json), the Docker image (Dockerfile), the
 * tests and the benchmark; a test keeps the first two equal to this. A young generation of up to
 * 64 MB per half (16 MB by default): a round's views and patches live a few hundred milliseconds,
 * which at 16 MB outlasted two scavenges and went to the old generation, whose collections paused
 * the event loop for 50–100 ms every ~10 s under load. No --enable-source-maps: the first stack
 * trace made Node parse the bundle's whole map into ~340,000 live arrays (~45 MB), which every
 * full collection then marks again. Traces name dist/main.js, which is readable (not minified,
 * each module headed by its source path); dist/main.js.map is there for debugging with the flag.
 */
export const NODE_FLAGS = ['--max-semi-space-size=64'];

/**
 * npm packages bundled with our code, with what they import: plain JavaScript that loads faster
 * from one file than as hundreds of modules from node_modules (~0.2 s of every start). Every other
 * package stays external and loads from node_modules as published — PGlite finds its WebAssembly
 * next to its own modules, pino its worker threads; the Redis client and umzug load only when used.
 */
const BUNDLED = new Set(['express', 'express-rate-limit', 'helmet', 'rate-limiter-flexible', 'socket.io', 'zod', 'xstate', 'dequal', 'debug']);

/**
 * What bundled packages get for `debug`: loggers that do nothing unless DEBUG is set (see
 * src/quiet-debug.ts), through a CommonJS module as debug's own, which `require` and `import` take alike.
 */
const QUIET_DEBUG = path.join(here, 'src/quiet-debug.ts');
const QUIET_DEBUG_MODULE = path.join(here, 'src/quiet-debug.cjs');

const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** How dist/main.js and dist/pglite-worker.js are built (a test checks what they bundle without writing them). */
export function serverBuildOptions({ logLevel = 'warning' }: { logLevel?: 'info' | 'warning' } = {}) {
  return {
    // main.js loads the worker as its sibling (src/storage/pglite-thread.ts).
    entryPoints: { main: path.join(here, 'src/main.ts'), 'pglite-worker': path.join(here, 'src/storage/pglite-worker.ts') },
    outdir: path.join(here, 'dist'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    // For profiles (tests/bench/profile-top.ts) and for debugging with node --enable-source-maps.
    sourcemap: true,
    sourcesContent: false,
    logLevel,
    // Bundled CommonJS packages require Node's built-in modules.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    plugins: [
      {
        name: 'packages',
        setup(b) {
          b.onResolve({ filter: /^debug$/ }, (args) => (args.importer === QUIET_DEBUG ? undefined : { path: QUIET_DEBUG_MODULE }));
          b.onResolve({ filter: /^[^./]/ }, (args) => {
            // Our workspace packages are TypeScript; what a bundled package imports is bundled with it.
            if (args.path.startsWith('@kollegium/') || args.importer.includes('/node_modules/')) return undefined;
            return BUNDLED.has(packageOf(args.path)) ? undefined : { path: args.path, external: true };
          });
        },
      },
    ],
  } satisfies BuildOptions;
}

/** Builds dist/main.js (and the worker beside it); returns its path. */
export async function buildServer(options: { logLevel?: 'info' | 'warning' } = {}): Promise<string> {
  const config = serverBuildOptions(options);
  await build(config);
  return path.join(config.outdir, 'main.js');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildServer({ logLevel: 'info' });
}
