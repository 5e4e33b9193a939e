/** The output directory and the bytes in it: the oracle of what a download stored. */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { STAGING_DIR_NAME } from '../../src/storage';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function sha256OfFile(file: string): Promise<string> {
  return sha256(await fs.readFile(file));
}

/** Files in the output root (the staging folder left out) and partial files in the staging folder, sorted. */
export async function outputContents(outputDir: string): Promise<{ files: string[]; partials: string[] }> {
  const files = (await fs.readdir(outputDir)).filter((n) => n !== STAGING_DIR_NAME).sort();
  const partials = (await fs.readdir(path.join(outputDir, STAGING_DIR_NAME)).catch(() => [] as string[])).sort();
  return { files, partials };
}
