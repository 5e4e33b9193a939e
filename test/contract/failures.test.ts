import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAILURES, FailureType, NON_RETRYABLE_TYPES, isFailureType } from '../../src/contract';
import * as errors from '../../src/seedance/errors';
import { DownloadError } from '../../src/activities/download-error';

const SRC = path.resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('the failure table', () => {
  it('gives every kind the type Seedance<kind>, once', () => {
    for (const [kind, spec] of Object.entries(FAILURES)) expect(spec.type).toBe(`Seedance${kind}`);
    expect(new Set(Object.values(FailureType)).size).toBe(Object.keys(FAILURES).length);
  });

  it('lists as non-retryable exactly the activity failures the table marks retryable: false', () => {
    const expected = Object.values(FAILURES)
      .filter((spec) => spec.retryable === false && !('outcome' in spec))
      .map((spec) => spec.type);
    expect([...NON_RETRYABLE_TYPES]).toEqual(expected);
    expect(NON_RETRYABLE_TYPES).toContain('SeedanceTaskNotFound');
    expect(NON_RETRYABLE_TYPES).not.toContain('SeedanceRateLimited');
    expect(NON_RETRYABLE_TYPES).not.toContain('SeedanceInvalidVideo'); // per case
  });

  it("derives every client error class's code and retryability from the table", () => {
    type AnyErrorClass = new (...args: unknown[]) => errors.SeedanceError;
    const classes = (Object.values(errors) as unknown[]).filter(
      (value): value is AnyErrorClass => typeof value === 'function' && value.prototype instanceof errors.SeedanceError,
    );
    expect(classes.length).toBeGreaterThanOrEqual(13);
    for (const ErrorClass of classes) {
      const error = new ErrorClass('m', 'x', {});
      expect(isFailureType(error.code)).toBe(true);
      const spec = Object.values(FAILURES).find((s) => s.type === error.code)!;
      expect(error.retryable).toBe(spec.retryable);
    }
  });

  it('lets the raise site decide only for per-case kinds', () => {
    expect(new DownloadError('DownloadStalled', 'slow').retryable).toBe(true);
    expect(new DownloadError('UnsafeUrl', 'no').retryable).toBe(false);
    expect(new DownloadError('InvalidVideo', 'cut', { retryable: true }).retryable).toBe(true);
    expect(new DownloadError('InvalidVideo', 'not an mp4', { retryable: false }).retryable).toBe(false);
  });

  it('is the only place in src/ where a failure type string is written', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(SRC)) {
      if (file.endsWith(path.join('contract', 'failures.ts'))) continue;
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/['"](Seedance[A-Z][A-Za-z]+)['"]/g)) {
        if (isFailureType(match[1])) offenders.push(`${path.relative(SRC, file)}: ${match[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
