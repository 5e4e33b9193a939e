/**
 * The package as npm users get it: `npm run build`, `npm pack`, what the tarball ships, and the
 * tarball installed into a fresh project (`npm init -y`), where the entry points are imported with
 * their types (node16, nodenext, bundler; a file of deliberate type errors must fail) and a worker
 * from the installed package runs one video end to end on a prebundled workflow bundle
 * (test/pack/consumer/). Minutes of npm and tsc: its own suite, `npm run test:pack`.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTestServer } from '../../src/testing/binaries';

const ROOT = path.resolve(__dirname, '../..');
const CONSUMER_FILES = path.join(__dirname, 'consumer');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund'];

/** Nothing of this may reach users: tests, benchmarks, fixtures, replay histories, tools, docs, sources. */
const NOT_SHIPPED = [
  /^(test|bench|scripts|docs|src|\.tools|\.ci|\.demo|videos|coverage|node_modules)\//,
  /(^|\/)(fixtures?|histories|__snapshots__)\//,
  /\.test\.[cm]?[jt]s$/,
  /^(vitest|eslint)\..*\.[cm]?[jt]s$|^tsconfig.*\.json$|^\.prettier/,
  /\.(png|jpe?g|gif|svg|webp|tgz|log)$/,
];

interface PackedFile {
  path: string;
  size: number;
}

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: PackedFile[];
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  types: string;
  exports: Record<string, unknown>;
  bin?: string | Record<string, string>;
};

let work: string;
let packed: Packed;
let tarball: string;
let unpacked: string;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-pack-'));
  // A clean build: tsc never removes the output of a source file that is gone.
  await fs.rm(path.join(ROOT, 'dist'), { recursive: true, force: true });
  ok(await run(NPM, ['run', 'build'], ROOT), 'npm run build');
  const pack = ok(await run(NPM, ['pack', '--pack-destination', work, '--json'], ROOT), 'npm pack');
  [packed] = JSON.parse(pack.stdout) as [Packed];
  tarball = path.join(work, packed.filename);
  unpacked = path.join(work, 'unpacked');
  await fs.mkdir(unpacked);
  ok(await run('tar', ['-xzf', tarball, '-C', unpacked], work), 'tar');
  console.log(
    `npm pack: ${packed.filename} ${kib(packed.size)} KiB packed, ${kib(packed.unpackedSize)} KiB unpacked, ` +
      `${packed.entryCount} files (${pack.ms} ms)`,
  );
}, 600_000);

afterAll(async () => {
  if (work) await fs.rm(work, { recursive: true, force: true });
});

describe('the tarball', () => {
  it('ships the compiled code, the sample video, the README and package.json', () => {
    const shipped = new Set(packed.files.map((f) => f.path));
    const required = [
      'package.json',
      'README.md',
      'assets/sample.mp4',
      pkg.main,
      pkg.types,
      ...exportTargets(pkg.exports),
      ...binTargets(pkg.bin),
      ...(existsSync(path.join(ROOT, 'LICENSE')) ? ['LICENSE'] : []),
    ].map((p) => path.posix.normalize(p));
    expect(required.filter((p) => !shipped.has(p))).toEqual([]);
    expect(packed.files.filter((f) => f.path.startsWith('dist/')).length).toBeGreaterThan(100);
  });

  it('ships no tests, benchmarks, fixtures, replay histories, tools, docs or sources', () => {
    const offenders = packed.files.map((f) => f.path).filter((p) => NOT_SHIPPED.some((pattern) => pattern.test(p)));
    expect(offenders).toEqual([]);
    expect(
      packed.files.map((f) => f.path).filter((p) => !/^(dist|assets)\/|^(package\.json|README\.md|LICENSE)$/.test(p)),
    ).toEqual([]);
  });

  it('has source maps that carry their sources (src/ is not shipped)', async () => {
    const maps = packed.files.filter((f) => f.path.endsWith('.map'));
    const incomplete: string[] = [];
    for (const map of maps) {
      const file = path.join(unpacked, 'package', map.path);
      const { sources, sourcesContent } = JSON.parse(await fs.readFile(file, 'utf8')) as {
        sources: string[];
        sourcesContent?: (string | null)[];
      };
      sources.forEach((source, i) => {
        if (sourcesContent?.[i] == null && !existsSync(path.resolve(path.dirname(file), source))) {
          incomplete.push(`${map.path}: ${source}`);
        }
      });
    }
    expect(incomplete).toEqual([]);
  });
});

describe('installed into a fresh project', () => {
  let project: string;
  let emitted: Run;

  beforeAll(async () => {
    project = path.join(work, 'consumer');
    await fs.mkdir(project);
    ok(await run(NPM, ['init', '-y'], project), 'npm init -y');
    const install = ok(
      await run(
        NPM,
        [
          'install',
          tarball,
          // The consumer's own imports, at the versions the package pins (the same copies as its own).
          ...['@temporalio/worker', '@temporalio/client', '@temporalio/testing'].map((name) => `${name}@1.24.0`),
          `typescript@${devVersion('typescript')}`,
          `@types/node@${devVersion('@types/node')}`,
          ...NPM_FLAGS,
        ],
        project,
      ),
      'npm install <tarball>',
    );
    console.log(`npm install <tarball> in a fresh project: ${(install.ms / 1000).toFixed(1)} s`);
    await fs.cp(CONSUMER_FILES, project, { recursive: true });
    // Also checks the package's own declaration files (skipLibCheck off), and emits the script run below.
    emitted = await tsc(project, ['-p', 'tsconfig.json', '--skipLibCheck', 'false']);
  }, 900_000);

  it('imports seedance-temporal, /workflows, /contract and /simulator with their types (node16, .d.ts checked)', () => {
    expect(ourErrors(emitted)).toEqual([]);
    expect(existsSync(path.join(project, 'build/worker-smoke.js'))).toBe(true);
  });

  it.each([
    ['nodenext', ['--module', 'nodenext', '--moduleResolution', 'nodenext']],
    ['bundler', ['--module', 'preserve', '--moduleResolution', 'bundler']],
    // The old resolution reads no `exports`: the subpaths resolve through `typesVersions`.
    ['node10', ['--module', 'commonjs', '--moduleResolution', 'node10']],
  ])(
    'type-checks the imports with moduleResolution %s, and fails a wrong input to each entry point with exactly the marked errors',
    async (_, flags) => {
      const source = await fs.readFile(path.join(project, 'src/wrong-input.ts'), 'utf8');
      const expected = source
        .split('\n')
        .flatMap((line, i) =>
          [...line.matchAll(/\/\/ expect (TS\d+)/g)].map((m) => `src/wrong-input.ts:${i + 1} ${m[1]}`),
        );
      expect(expected.length).toBe(4);
      const checked = await tsc(project, ['-p', 'tsconfig.with-errors.json', ...flags]);
      expect(checked.code).not.toBe(0);
      const actual = typeErrors(checked).map((e) => e.replace(/^(.+?)\((\d+),\d+\): error (TS\d+).*$/, '$1:$2 $3'));
      expect(actual).toEqual(expected);
    },
  );

  it('runs a worker from the installed package on a prebundled workflow bundle: one video, stored with the served sha256', async () => {
    const testServer = await findTestServer();
    expect(testServer, 'the time-skipping test server (npm run tools)').toBeDefined();
    const smoke = await run(process.execPath, ['build/worker-smoke.js'], project, {
      TEMPORAL_TEST_SERVER_PATH: testServer!,
    });
    expect(smoke.code, smoke.stderr).toBe(0);
    const report = JSON.parse(smoke.stdout.trim().split('\n').at(-1)!) as {
      path: string;
      sha256: string;
      bytes: number;
    };
    console.log(`worker from the installed package: one video in ${(smoke.ms / 1000).toFixed(1)} s`);
    const served = await fs.readFile(path.join(ROOT, 'assets/sample.mp4'));
    const stored = await fs.readFile(report.path);
    expect(path.dirname(report.path)).toBe(path.join(project, 'videos'));
    expect(sha256(stored)).toBe(sha256(served));
    expect(report.sha256).toBe(sha256(served));
    expect(report.bytes).toBe(served.length);
  });

  it('lets ES modules import the entry points by name', async () => {
    const esm = await run(process.execPath, ['esm-imports.mjs'], project);
    expect(esm.stderr).toBe('');
    expect(esm.stdout.trim()).toBe('seedance-video_abc');
  });

  it('loads no OpenTelemetry module from the root; seedance-temporal/tracing loads it', async () => {
    const loaded = await run(process.execPath, ['root-loads-no-tracing.cjs'], project);
    expect(loaded.code, loaded.stderr).toBe(0);
    const report = JSON.parse(loaded.stdout.trim()) as {
      rootMs: number;
      tracingMs: number;
      loadedByRoot: string[];
      loadedByTracing: number;
    };
    console.log(
      `require('seedance-temporal') ${report.rootMs} ms, then require('seedance-temporal/tracing') ${report.tracingMs} ms ` +
        `(${report.loadedByTracing} OpenTelemetry modules)`,
    );
    expect(report.loadedByRoot).toEqual([]);
    expect(report.loadedByTracing).toBeGreaterThan(0);
  });

  // Runs once package.json has a `bin` named seedance-temporal (the terminal command of issue 10).
  it.skipIf(!hasBin('seedance-temporal'))('runs `npx seedance-temporal --help`', async () => {
    const help = await run(NPX, ['seedance-temporal', '--help'], project);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/generate/);
  });
});

function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return exports.endsWith('package.json') ? [] : [exports];
  if (exports && typeof exports === 'object') return Object.values(exports).flatMap(exportTargets);
  return [];
}

function binTargets(bin: string | Record<string, string> | undefined): string[] {
  if (!bin) return [];
  return typeof bin === 'string' ? [bin] : Object.values(bin);
}

function hasBin(name: string): boolean {
  return typeof pkg.bin === 'string' || (pkg.bin !== undefined && name in pkg.bin);
}

/** The version of a dev dependency installed in the repo, so the consumer checks with the same compiler. */
function devVersion(name: string): string {
  return (require(path.join(ROOT, 'node_modules', name, 'package.json')) as { version: string }).version;
}

function tsc(cwd: string, args: string[]): Promise<Run> {
  return run(process.execPath, [path.join(cwd, 'node_modules/typescript/bin/tsc'), '--pretty', 'false', ...args], cwd);
}

/** tsc's error lines (`file(line,col): error TSxxxx: ...`), paths relative to the project. */
function typeErrors(result: Run): string[] {
  return result.stdout.split('\n').filter((line) => / error TS\d+:/.test(line));
}

/** Errors in the consumer's files or the package's declaration files; other packages' .d.ts aside. */
function ourErrors(result: Run): string[] {
  return typeErrors(result).filter(
    (e) => !e.startsWith('node_modules/') || e.startsWith('node_modules/seedance-temporal/'),
  );
}

function ok(result: Run, what: string): Run {
  if (result.code !== 0) {
    throw new Error(
      `${what} exited with ${result.code}:\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`,
    );
  }
  return result;
}

/** Runs a command to its end; npm's variables of the enclosing `npm run` are left out of its environment. */
function run(command: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(npm_(package|lifecycle)_|npm_config_local_prefix$|INIT_CWD$)/.test(key),
    ),
  );
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function kib(bytes: number): string {
  return (bytes / 1024).toFixed(0);
}
