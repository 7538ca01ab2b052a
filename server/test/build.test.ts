import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NODE_FLAGS } from '../build.js';

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
