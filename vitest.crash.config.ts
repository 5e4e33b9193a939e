// The crash suite (`npm run test:crash`): the reliability scenarios that kill worker and server
// processes in real time, and the fleet's shared API budget (vitest.config.ts lists them), with the
// same pool, global setup and timeouts as `npm test`. CommonJS, like vitest.config.ts.
type ViteUserConfig = import('vitest/config', { with: { 'resolution-mode': 'import' } }).ViteUserConfig;

const { test: base, CRASH_TESTS }: ViteUserConfig & { CRASH_TESTS: string[] } = require('./vitest.config');

const vitestCrashConfig: ViteUserConfig = {
  test: { ...base, include: CRASH_TESTS, exclude: [] },
};

module.exports = vitestCrashConfig;
