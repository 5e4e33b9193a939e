// The large suite (`npm run test:large`): tests under test/large/ that take too long for `npm test`,
// with the same pool, global setup and timeouts. CommonJS, like vitest.config.ts.
type ViteUserConfig = import('vitest/config', { with: { 'resolution-mode': 'import' } }).ViteUserConfig;

const { test: base }: ViteUserConfig = require('./vitest.config');

const vitestLargeConfig: ViteUserConfig = {
  test: { ...base, include: ['test/large/**/*.test.ts'], exclude: [] },
};

module.exports = vitestLargeConfig;
