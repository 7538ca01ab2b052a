import { buildServer } from '../../server/build.js';

/**
 * Tests that start the server as a process run the production build (server/dist), as it
 * ships; it is built from the current sources once per test run (esbuild: well under a second).
 */
export default async function setup(): Promise<void> {
  await buildServer();
}
