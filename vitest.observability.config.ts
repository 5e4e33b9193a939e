// The observability suite (`npm run test:observability`): the production worker with its
// Prometheus endpoint and OTLP traces against a dev server and the simulator. It bundles the
// workflows with the tracing interceptors and starts a worker process: 20-60 s of real time,
// so not in `npm test` (vitest.config.ts excludes test/observability). Same pool, global setup
// and timeouts. CommonJS, like vitest.config.ts.
type ViteUserConfig = import('vitest/config', { with: { 'resolution-mode': 'import' } }).ViteUserConfig;

const { test: base }: ViteUserConfig = require('./vitest.config');

const vitestObservabilityConfig: ViteUserConfig = {
  test: { ...base, include: ['test/observability/**/*.test.ts'], exclude: [] },
};

module.exports = vitestObservabilityConfig;
