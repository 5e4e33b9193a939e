// CommonJS on purpose: the package is CommonJS, and ESM syntax here makes Vite warn on every run.
type ViteUserConfig = import('vitest/config', { with: { 'resolution-mode': 'import' } }).ViteUserConfig;

const vitestConfig: ViteUserConfig = {
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/large/**'], // `npm run test:large` (vitest.large.config.ts)
    pool: 'forks', // the Temporal native bridge crashes in worker threads
    globalSetup: ['test/global-setup.ts'],
    // 2-core machine; each file may start its own Temporal server.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
};

module.exports = vitestConfig;
