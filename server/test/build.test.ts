import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS, serverBuildOptions } from '../build.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

describe('how Node runs the built server', () => {
  it('npm start and the Docker image pass the same flags as the tests and the benchmark', () => {
    const start = (JSON.parse(read('server/package.json')) as { scripts: { start: string } }).scripts.start;
    expect(start).toBe(`node ${NODE_FLAGS.join(' ')} dist/main.js`);
    // The image's last CMD (the healthcheck has its own, indented under HEALTHCHECK).
    const cmd = read('Dockerfile').match(/^CMD (\[.*\])$/gm)?.at(-1)?.slice('CMD '.length);
    expect(cmd && JSON.parse(cmd)).toEqual(['node', ...NODE_FLAGS, 'server/dist/main.js']);
  });
});

describe('what the server bundle contains', () => {
  it("gives every bundled package the quiet debug (src/quiet-debug.ts), and only that one debug's own", async () => {
    const { metafile } = await build({ ...serverBuildOptions(), write: false, metafile: true });
    const debugImports = Object.entries(metafile.inputs).flatMap(([file, input]) =>
      input.imports.filter((i) => i.original === 'debug').map((i) => ({ file, resolved: i.path })),
    );
    const quiet = debugImports.filter((i) => i.resolved === 'server/src/quiet-debug.cjs');
    // Express, Engine.IO, Socket.IO and their parts: each its own module importing debug.
    expect(quiet.length).toBeGreaterThan(10);
    expect(quiet.every((i) => i.file.includes('node_modules/'))).toBe(true);
    expect(debugImports.filter((i) => i.resolved !== 'server/src/quiet-debug.cjs')).toEqual([
      { file: 'server/src/quiet-debug.ts', resolved: expect.stringMatching(/^node_modules\/debug\//) },
    ]);
  });
});
