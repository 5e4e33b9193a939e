// CommonJS on purpose: the package is CommonJS, and ESM syntax here makes Vite warn on every run.
type ViteUserConfig = import('vitest/config', { with: { 'resolution-mode': 'import' } }).ViteUserConfig;

/**
 * Minutes of real time that would take `npm test` past its 5-minute budget, so they are their own
 * suite (`npm run test:crash`), which CI runs: process kills (worker, server, both; a fleet of two
 * machines) and three worker processes sharing one API budget.
 */
const CRASH_TESTS = [
  'test/reliability/crash-worker.test.ts',
  'test/reliability/crash-server.test.ts',
  'test/reliability/s3-fleet.test.ts',
  'test/integration/api-budget.test.ts',
];

const vitestConfig: ViteUserConfig = {
  test: {
    include: ['test/**/*.test.ts'],
    // test/terminal: `npm run test:cli` (vitest.cli.config.ts, the pty suite).
    // test/browser: `npm run test:browser` (vitest.browser.config.ts, the Web UI in headless Chromium).
    // `npm run test:large` (vitest.large.config.ts), `npm run test:crash` (vitest.crash.config.ts)
    // `npm run test:pack` (vitest.pack.config.ts) and `npm run test:observability` (vitest.observability.config.ts).
    exclude: [
      'test/large/**',
      'test/terminal/**',
      'test/pack/**',
      'test/observability/**',
      'test/browser/**',
      ...CRASH_TESTS,
    ],
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
module.exports.CRASH_TESTS = CRASH_TESTS;
