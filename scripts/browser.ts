/**
 * Where the headless browser of the Web UI check comes from: Debian's `chromium`, driven by
 * `playwright-core` (which downloads no browser of its own). `CHROMIUM_PATH` names one, else
 * `/usr/bin/chromium`; where it is missing and this process is root with apt-get, it is installed
 * with `apt-get install -y chromium`. Anywhere else the answer says why there is no browser.
 */
import { execFile } from 'node:child_process';
import { constants as fsConstants, promises as fs } from 'node:fs';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
const APT_GET = '/usr/bin/apt-get';

export type BrowserLookup = { path: string; installed: boolean } | { path: null; why: string };

/** The Chromium to drive: found, installed now (`install`), or why there is none. */
export async function findChromium(options: { install?: boolean } = {}): Promise<BrowserLookup> {
  const named = process.env.CHROMIUM_PATH;
  if (named) {
    return (await executable(named))
      ? { path: named, installed: false }
      : { path: null, why: `CHROMIUM_PATH=${named} is not an executable file` };
  }
  if (await executable(DEBIAN_CHROMIUM)) return { path: DEBIAN_CHROMIUM, installed: false };
  if (!options.install) return { path: null, why: `${DEBIAN_CHROMIUM} is missing (run \`npm run browser\`)` };
  if (!(await executable(APT_GET))) return { path: null, why: `${DEBIAN_CHROMIUM} is missing and there is no apt-get` };
  if (process.getuid?.() !== 0) {
    return { path: null, why: `${DEBIAN_CHROMIUM} is missing; install it as root: apt-get install -y chromium` };
  }
  try {
    await apt(['update']);
    await apt(['install', '-y', '--no-install-recommends', 'chromium']);
  } catch (error) {
    return { path: null, why: `apt-get install -y chromium failed: ${(error as Error).message.slice(0, 500)}` };
  }
  return (await executable(DEBIAN_CHROMIUM))
    ? { path: DEBIAN_CHROMIUM, installed: true }
    : { path: null, why: `apt-get installed chromium but ${DEBIAN_CHROMIUM} is still missing` };
}

/** The launch flags headless Chromium needs here: root has no sandbox; /dev/shm is small in containers. */
export function chromiumArgs(): string[] {
  return [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-dev-shm-usage'];
}

function apt(args: string[]) {
  return execFileAsync(APT_GET, args, {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 15 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
}

async function executable(file: string): Promise<boolean> {
  try {
    await fs.access(file, fsConstants.X_OK);
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}
