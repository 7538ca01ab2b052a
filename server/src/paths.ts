import { fileURLToPath } from 'node:url';

/**
 * The server package's folder. This file (run from src/ by tsx) and the production bundle
 * (dist/main.js, see build.ts) are both one level below it, so the paths below hold for both.
 */
export const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));
