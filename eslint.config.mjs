// Lint rules that catch real Temporal bugs, in the spirit of Temporal's own samples, and keep the
// dependency direction: contract <- workflows, activities, storage, config, client helpers.
import tseslint from 'typescript-eslint';

/** Matches an import specifier that is NOT one of `allowed` (exact strings). */
function allowOnly(allowed) {
  const escaped = allowed.map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  return `^(?!(?:${escaped.join('|')})$)`;
}

// Workflow code runs in Temporal's deterministic sandbox: it may import only these modules. A new
// module must be added here on purpose, after checking it does no I/O and imports no Node built-in.
const WORKFLOW_IMPORTS = [
  '@temporalio/workflow',
  '@temporalio/common',
  'zod',
  '../contract',
  '../contract/batch-limits',
  '../contract/definitions',
  '../contract/failures',
  '../contract/names',
  '../contract/static-metadata',
  '../contract/types',
  '../activities/types',
  '../seedance/completion-model',
  '../seedance/schedule',
  '../seedance/models',
  '../seedance/provider',
  '../seedance/schemas',
  '../seedance/video-request',
  '../storage/file-name',
  '../observability/metrics',
  './activity-options',
  './batch',
  './batch-child',
  './batch-input',
  './batch-ledger',
  './carried-state',
  './check-now-budget',
  './child',
  './create-task',
  './failure',
  './follow-task',
  './input',
  './run-face',
  './schedule',
  './video-metrics',
  './workflows',
];

// The contract is imported by clients, workflows and workers alike: Temporal's definitions and
// type-only references to the pure schema modules, nothing else.
const CONTRACT_IMPORTS = [
  '@temporalio/workflow',
  '@temporalio/common',
  '../seedance/models',
  '../seedance/provider',
  '../seedance/schemas',
  '../seedance/video-request',
  './batch-limits',
  './definitions',
  './failures',
  './names',
  './static-metadata',
  './types',
];

const NO_WORKFLOWS = {
  group: ['**/workflows', '**/workflows/*'],
  message: 'Only the worker bundle path imports workflows/: depend on src/contract instead.',
};

export default tseslint.config(
  // test/pack/consumer is a user's project: linted by its own type check against the installed package.
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'coverage/**', '.demo/**', 'test/pack/consumer/**'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A forgotten `await` on an activity, a timer or a write is a bug.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: allowOnly(WORKFLOW_IMPORTS),
              message:
                'Workflow code is deterministic: it imports only the allowlisted modules in eslint.config.mjs (no Node built-ins, no I/O, activity types only).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: allowOnly(CONTRACT_IMPORTS),
              message: 'The contract is workflow-safe and free of Node: definitions and types only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/seedance/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_WORKFLOWS,
            { group: ['@temporalio/*'], message: 'The HTTP client has no Temporal imports.' },
            {
              regex: '/contract(?:/(?!failures$).*)?$',
              message: 'The HTTP client uses only the failure table of the contract.',
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      'src/activities/**/*.ts',
      'src/storage/**/*.ts',
      'src/config.ts',
      'src/client/**/*.ts',
      'src/testing/**/*.ts',
      'src/simulator/**/*.ts',
      'src/callbacks/**/*.ts',
      'src/cli/**/*.ts',
      'src/observability/**/*.ts',
    ],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_WORKFLOWS] }] },
  },
  {
    // Storage behind its port: the S3 sink drops in where the local one is, no activity changes.
    files: ['src/activities/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_WORKFLOWS,
            {
              regex: '^\\.\\./storage(?:/(?!(?:types|sink|file-name|mp4)$).*)?$',
              message:
                'Activities reach storage through its port (storage/types, storage/sink) and pure helpers, never an implementation.',
            },
          ],
        },
      ],
    },
  },
);
