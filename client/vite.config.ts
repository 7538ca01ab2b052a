import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { lingui } from '@lingui/vite-plugin';

const server = 'http://localhost:3000';

export default defineConfig({
  // lingui.config.ts sits beside this file, wherever the build is started from.
  plugins: [react(), lingui({ cwd: import.meta.dirname, failOnMissing: true, failOnCompileError: true })],
  build: {
    outDir: 'dist',
    // dist/.vite/manifest.json: lets tools (tests/bench/client-weight.ts) see exactly what each page loads.
    manifest: true,
    rolldownOptions: {
      output: {
        // The Socket.IO client gets a chunk of its own (shared by the three live pages) with a
        // name that says what it is; everything else is split by the lazy routes.
        codeSplitting: {
          groups: [{ name: 'realtime', test: /node_modules[\\/](socket\.io-client|engine\.io-client|socket\.io-parser|engine\.io-parser|@socket\.io)[\\/]/ }],
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
