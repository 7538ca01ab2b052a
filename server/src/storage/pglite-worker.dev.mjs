// The database thread from the TypeScript sources (tests, `npm run dev`): through tsx, as its
// parent runs. The production build bundles pglite-worker.ts into dist/pglite-worker.js instead.
import { register } from 'tsx/esm/api';

register();
await import('./pglite-worker.ts');
