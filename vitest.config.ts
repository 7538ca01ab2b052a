import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/test/**/*.test.ts', 'server/test/**/*.test.ts', 'client/test/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/browser/**/*.test.ts', 'tests/bench/test/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: browser and process tests are heavy; keep the machine responsive.
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: 'tests/artifacts/vitest.json' },
  },
});
