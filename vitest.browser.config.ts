// The Web UI check (`npm run test:browser`): the dev server's Web UI opened in headless Chromium
// (test/browser), with the same pool, global setup and timeouts as `npm test`, which leaves it out.
// CommonJS, like vitest.config.ts.
type ViteUserConfig = import('vitest/config', { with: { 'resolution-mode': 'import' } }).ViteUserConfig;

const { test: base }: ViteUserConfig = require('./vitest.config');

const vitestBrowserConfig: ViteUserConfig = {
  test: { ...base, include: ['test/browser/**/*.test.ts'], exclude: [], testTimeout: 180_000 },
};

module.exports = vitestBrowserConfig;
