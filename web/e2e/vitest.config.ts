// The end-to-end tests: a real `accord serve` on demo data (started by e2e/run.sh) driven through
// Debian's chromium with playwright-core. Run them with e2e/run.sh, not directly.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    sequence: { concurrent: false },
    reporters: ['verbose'],
  },
});
