// The terminal suite (`npm run test:cli`): `seedance-temporal` in a pseudo-terminal against a dev
// server, a worker process and the simulator, about a minute of real time, so not in `npm test`
// (vitest.config.ts excludes test/terminal). Same pool, global setup and timeouts. CommonJS, like
// vitest.config.ts.
type ViteUserConfig = import('vitest/config', { with: { 'resolution-mode': 'import' } }).ViteUserConfig;

const { test: base }: ViteUserConfig = require('./vitest.config');

const vitestCliConfig: ViteUserConfig = {
  test: { ...base, include: ['test/terminal/**/*.test.ts'], exclude: [] },
};

module.exports = vitestCliConfig;
