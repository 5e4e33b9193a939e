// The reliability scenarios that go through the provider's API, run against BytePlus ModelArk
// (`npm run test:modelark`): the same test files as `npm test`, with SEEDANCE_TEST_PROVIDER=modelark
// (test/helpers/provider.ts), the same pool, global setup and timeouts. Which scenarios run here and
// why the rest need not: docs/reliability-scenarios.md, "Which provider each scenario runs on".
// CommonJS, like vitest.config.ts.
type ViteUserConfig = import('vitest/config', { with: { 'resolution-mode': 'import' } }).ViteUserConfig;

const { test: base }: ViteUserConfig = require('./vitest.config');

const vitestModelArkConfig: ViteUserConfig = {
  test: {
    ...base,
    include: [
      'test/reliability/crash-worker.test.ts',
      'test/reliability/crash-server.test.ts',
      'test/reliability/download-resume.test.ts',
      'test/reliability/download-cancel.test.ts',
      'test/reliability/workflow-api-errors.test.ts',
      'test/reliability/workflow-continue-as-new.test.ts',
      'test/reliability/workflow-secrets.test.ts',
      'test/reliability/workflow-task-id-properties.test.ts',
      'test/reliability/download-refusals.test.ts',
    ],
    exclude: [],
    env: { ...base?.env, SEEDANCE_TEST_PROVIDER: 'modelark' },
  },
};

module.exports = vitestModelArkConfig;
