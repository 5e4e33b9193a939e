// Lint rules that catch real Temporal bugs, in the spirit of Temporal's own samples.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'coverage/**'] },
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
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no side effects.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Workflow code is deterministic: no Node built-ins.' },
            { group: ['fs', 'fs/*', 'path', 'crypto', 'http', 'https', 'net', 'os', 'child_process', 'undici'], message: 'Workflow code is deterministic: no I/O.' },
            { group: ['**/activities/*', '!**/activities/types'], message: 'Workflows import activity types only.' },
            { group: ['**/seedance/client', '**/seedance/video-download', '**/storage/local', '**/storage/mp4'], message: 'Workflow code must not import I/O modules.' },
          ],
        },
      ],
    },
  },
);
