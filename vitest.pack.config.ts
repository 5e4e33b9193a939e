// The pack-and-install suite (`npm run test:pack`): `npm pack`, the tarball installed into a fresh
// project, its types checked and a worker run from it. Minutes of npm and tsc, so not in `npm test`;
// CI runs it. CommonJS, like vitest.config.ts.
type ViteUserConfig = import('vitest/config', { with: { 'resolution-mode': 'import' } }).ViteUserConfig;

const { test: base }: ViteUserConfig = require('./vitest.config');

const vitestPackConfig: ViteUserConfig = {
  test: {
    ...base,
    include: ['test/pack/**/*.test.ts'],
    exclude: [],
    // The build, npm and tsc are one sequence in one temp project; no workflow bundle to share.
    globalSetup: [],
    testTimeout: 300_000,
    hookTimeout: 900_000,
  },
};

module.exports = vitestPackConfig;
