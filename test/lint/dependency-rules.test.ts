/**
 * The lint rules that keep workflow code deterministic and the dependency direction one-way:
 * probes are linted as if they were files of src/, with the project's own eslint.config.mjs.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
// The probes are not on disk: lint them without type information (the import rules need none).
const eslint = new ESLint({
  cwd: root,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false, project: null } },
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
  },
});

async function restrictedImports(file: string, specifier: string): Promise<string[]> {
  const code = `import * as probe from '${specifier}';\nexport const used = probe;\n`;
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('workflow code imports only allowlisted modules', () => {
  it.each([
    'node:fs',
    'fs',
    'node:crypto',
    'undici',
    '../activities/download-video',
    '../activities',
    '../seedance/client',
    '../storage/local',
    './some-new-module',
    '@temporalio/activity',
  ])('refuses %s in a workflow file', async (specifier) => {
    expect(await restrictedImports('src/workflows/probe.ts', specifier)).toHaveLength(1);
  });

  it.each(['@temporalio/workflow', '../contract', '../contract/failures', '../activities/types', './schedule'])(
    'accepts %s in a workflow file',
    async (specifier) => {
      expect(await restrictedImports('src/workflows/probe.ts', specifier)).toEqual([]);
    },
  );
});

describe('nothing outside the worker bundle path imports workflows/', () => {
  it.each([
    'src/activities/probe.ts',
    'src/storage/probe.ts',
    'src/seedance/probe.ts',
    'src/config.ts',
    'src/client/probe.ts',
  ])('refuses ../workflows/... in %s', async (file) => {
    const specifier = file === 'src/config.ts' ? './workflows/input' : '../workflows/input';
    expect(await restrictedImports(file, specifier)).toHaveLength(1);
  });

  it('keeps the contract free of Node and of the implementation', async () => {
    expect(await restrictedImports('src/contract/probe.ts', 'node:path')).toHaveLength(1);
    expect(await restrictedImports('src/contract/probe.ts', '../activities/types')).toHaveLength(1);
    expect(await restrictedImports('src/contract/probe.ts', '../workflows')).toHaveLength(1);
    expect(await restrictedImports('src/contract/probe.ts', '@temporalio/common')).toEqual([]);
  });

  it.each(['../storage', '../storage/local', '../storage/local-sink', '../storage/partial-file', '../storage/s3'])(
    'refuses the storage implementation %s in an activity',
    async (specifier) => {
      expect(await restrictedImports('src/activities/probe.ts', specifier)).toHaveLength(1);
    },
  );

  it.each(['../storage/types', '../storage/sink', '../storage/file-name', '../storage/mp4'])(
    'accepts %s in an activity',
    async (specifier) => {
      expect(await restrictedImports('src/activities/probe.ts', specifier)).toEqual([]);
    },
  );

  it('lets the HTTP client use the failure table and nothing else of Temporal', async () => {
    expect(await restrictedImports('src/seedance/probe.ts', '../contract/failures')).toEqual([]);
    expect(await restrictedImports('src/seedance/probe.ts', '../contract')).toHaveLength(1);
    expect(await restrictedImports('src/seedance/probe.ts', '../contract/definitions')).toHaveLength(1);
    expect(await restrictedImports('src/seedance/probe.ts', '@temporalio/common')).toHaveLength(1);
  });
});
