import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { lingui } from '@lingui/vite-plugin';
import { describeClientWeight, measureClientWeight } from './weight';

const server = 'http://localhost:3000';

/** Socket.IO and what the three live pages (participant, facilitator, board) share. */
const realtime = [
  /node_modules[\\/](socket\.io-client|engine\.io-client|socket\.io-parser|engine\.io-parser|@socket\.io|nanoid)[\\/]/,
  /client[\\/]src[\\/]lib[\\/](session|clock|socket|useAction)\.ts$/,
  /client[\\/]src[\\/]components[\\/](SessionGate|ConnectionBanner|PhaseBar|Timer|LiveAnnouncer|FocusChallenge|ContributionList|HeldNotice|NextStepsList|ActionButton|ActionFeedback)\.tsx$/,
  /shared[\\/]src[\\/](view|patch)\.ts$/,
];
/** Small pieces every page but the shell uses (the join and home pages too, which need no Socket.IO). */
const common = [
  /client[\\/]src[\\/]lib[\\/](errors|storage|useDocumentTitle)\.ts$/,
  /client[\\/]src[\\/]components[\\/](SubmitButton|ErrorMessage)\.tsx$/,
  /shared[\\/]src[\\/]limits\.ts$/,
];
const matches = (patterns: RegExp[]) => (id: string) => patterns.some((p) => p.test(id));

/** Every build ends with what a participant's phone loads (see weight.ts), read off dist/. */
const participantWeight = (): Plugin => ({
  name: 'kollegium:participant-weight',
  apply: 'build',
  closeBundle() {
    this.info(describeClientWeight(measureClientWeight(import.meta.dirname)));
  },
});

export default defineConfig({
  // lingui.config.ts sits beside this file, wherever the build is started from.
  plugins: [react(), lingui({ cwd: import.meta.dirname, failOnMissing: true, failOnCompileError: true }), participantWeight()],
  build: {
    outDir: 'dist',
    // dist/.vite/manifest.json: lets weight.ts see exactly what each page loads.
    manifest: true,
    // Browsers without <link rel="modulepreload"> (Safari before 17) still load every chunk, only
    // not ahead of time; the polyfill would cost every phone its bytes.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      output: {
        // A participant's phone loads four files: the entry (React, Lingui, the shell),
        // the realtime and common chunks and its page, instead of nine that compress worse each on
        // its own. A module left out of these lists still works; it is split automatically.
        codeSplitting: {
          // Only the listed modules: their dependencies (React above all) stay in the entry.
          includeDependenciesRecursively: false,
          groups: [
            { name: 'realtime', test: matches(realtime) },
            { name: 'common', test: matches(common) },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': server,
      '/socket.io': { target: server, ws: true },
    },
  },
});
