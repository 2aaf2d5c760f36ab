import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The default output, then one line naming the tests a missing chromium, tmux or bubblewrap kept from running here.
    reporters: ['default', './test/helpers/tools-reporter.ts'],
  },
});
