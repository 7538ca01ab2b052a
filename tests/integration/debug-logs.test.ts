import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../support/process.js';

/**
 * The production build hands its bundled packages a `debug` that does nothing unless DEBUG is set
 * at start (server/src/quiet-debug.ts): quiet and cheap by default, and still there when asked for.
 */
describe("the bundled packages' debug logs", () => {
  let server: ServerProcess | null = null;
  const dirs: string[] = [];
  afterEach(async () => {
    await server?.kill('SIGTERM');
    server = null;
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the server, opens an Engine.IO handshake (which engine.io logs), and returns the output. */
  async function outputOfHandshake(env: Record<string, string>): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kollegium-debug-'));
    dirs.push(dir);
    // An empty DEBUG, not one this test run may have inherited.
    server = await startServerProcess({ DATA_DIR: dir, DEBUG: '', ...env });
    const res = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: server.url } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/"sid":/);
    // Written to stderr synchronously during the request; give the pipe a moment.
    await new Promise((r) => setTimeout(r, 200));
    return server.output.join('');
  }

  it('prints engine.io and socket.io internals when DEBUG names them', async () => {
    const output = await outputOfHandshake({ DEBUG: 'engine*,socket.io*' });
    expect(output).toMatch(/engine handshaking client/);
    expect(output).toMatch(/socket\.io:server/);
  });

  it('prints none of them without DEBUG', async () => {
    const output = await outputOfHandshake({});
    expect(output).not.toMatch(/engine|socket\.io:/);
  });
});
