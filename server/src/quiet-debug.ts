/**
 * `debug` as the packages bundled into dist/main.js get it (see build.ts). Engine.io logs every
 * packet it sends through it, and debug's logger gathers its arguments into an array before it
 * looks whether its namespace is on: under load that was about 6% of all the server allocated.
 * When DEBUG is not set at start, nothing would be printed, so every logger is one that does
 * nothing; with DEBUG set (`DEBUG=engine,socket.io* npm start`), debug works as published.
 */
import createDebug from 'debug';

function nothing(): void {}

const quiet: createDebug.Debugger = Object.assign(nothing, {
  color: '',
  diff: 0,
  enabled: false,
  namespace: '',
  log: nothing,
  extend: () => quiet,
  destroy: () => true,
});

const quietDebug: createDebug.Debug = Object.assign((_namespace: string) => quiet, createDebug);
// debug is also its own `.debug` and `.default` (socket.io-adapter calls `debug_1.debug(…)`).
Object.assign(quietDebug, { debug: quietDebug, default: quietDebug });

export default process.env.DEBUG ? createDebug : quietDebug;
