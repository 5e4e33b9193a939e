import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks', // the Temporal native bridge crashes in worker threads
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
