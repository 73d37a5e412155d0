import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test file boots its own machines; Unicorn instances are heavy,
    // and the runners have two cores.
    pool: 'forks',
    testTimeout: 30_000,
  },
});
