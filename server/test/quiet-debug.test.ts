import createDebug from 'debug';
import { afterEach, describe, expect, it, vi } from 'vitest';

async function load(debugEnv: string | undefined) {
  vi.resetModules();
  vi.stubEnv('DEBUG', debugEnv);
  return (await import('../src/quiet-debug.js')).default;
}

describe('the debug that bundled packages get', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('without DEBUG, hands every namespace one logger that does nothing', async () => {
    const debug = await load(undefined);
    expect(debug).not.toBe(createDebug);
    const log = debug('engine:ws');
    expect(log).toBe(debug('socket.io:server'));
    expect(log.enabled).toBe(false);
    expect(log('sending packet "%s"', 'message')).toBeUndefined();
    expect(log.extend('more')).toBe(log);
    // Reached the way some packages reach it, too.
    expect((debug as unknown as { debug: typeof debug }).debug).toBe(debug);
    expect((debug as unknown as { default: typeof debug }).default).toBe(debug);
    // The factory's own API stays, for packages that use it.
    expect(debug.enable).toBe(createDebug.enable);
    expect(debug.formatters).toBe(createDebug.formatters);
  });

  it('with DEBUG set, is debug itself', async () => {
    expect(await load('engine*')).toBe(createDebug);
  });
});
