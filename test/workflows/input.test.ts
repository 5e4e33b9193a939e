import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkFileName } from '../../src/storage/file-name';
import { parseAwaitInput, parseGenerateInput } from '../../src/workflows/input';
import type { AwaitSeedanceVideoInput, GenerateSeedanceVideoInput } from '../../src/contract/types';

const HOUR = 3_600_000;
const TASK_ID = 'video_abc123def456';

/** Runs `parse` and returns the ApplicationFailure it must throw. */
function refusal(parse: () => unknown): ApplicationFailure {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(ApplicationFailure);
    const failure = error as ApplicationFailure;
    expect(failure.type).toBe('SeedanceInvalidInput');
    expect(failure.nonRetryable).toBe(true);
    return failure;
  }
  throw new Error('expected the input to be refused');
}

/** Workflow input arrives as JSON: tests pass values the types would not allow. */
const awaitInput = (input: unknown) => parseAwaitInput(input as AwaitSeedanceVideoInput);
const generateInput = (input: unknown) => parseGenerateInput(input as GenerateSeedanceVideoInput);

const validRequest = {
  model: 'seedance_1_5_pro_720p',
  content: [{ type: 'text', text: 'a red fox running through snow' }],
};

describe('the input module', () => {
  /**
   * input.ts runs inside the workflow sandbox and in plain Node (these tests). It must not pull
   * `@temporalio/workflow`, which only works inside a workflow, nor any Node built-in.
   */
  it('imports neither @temporalio/workflow nor Node built-ins, directly or through its imports', () => {
    const root = path.resolve(__dirname, '../../src/workflows/input.ts');
    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      // Value imports and re-exports only: `import type` is erased by the compiler.
      for (const match of source.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms)) {
        const specifier = match[1]!;
        if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), `${specifier}.ts`));
        else external.add(specifier);
      }
    };
    visit(root);
    expect(seen.size).toBeGreaterThan(1);
    expect([...external].sort()).toEqual(['@temporalio/common', 'zod']);
  });
});

describe('parseAwaitInput', () => {
  it('fills in the defaults: file name <taskId>.mp4, service tier "default", deadline 6 h', () => {
    expect(awaitInput({ taskId: TASK_ID })).toEqual({
      taskId: TASK_ID,
      model: undefined,
      fileName: `${TASK_ID}.mp4`,
      serviceTier: 'default',
      deadlineMs: 6 * HOUR,
      deadlineExplicit: false,
    });
  });

  it('keeps what the caller gave', () => {
    expect(
      awaitInput({
        taskId: TASK_ID,
        model: 'seedance_1_5_pro_1080p',
        fileName: 'fox.mp4',
        serviceTier: 'flex',
        deadline: '1h30m',
      }),
    ).toEqual({
      taskId: TASK_ID,
      model: 'seedance_1_5_pro_1080p',
      fileName: 'fox.mp4',
      serviceTier: 'flex',
      deadlineMs: 1.5 * HOUR,
      deadlineExplicit: true,
    });
  });

  it('accepts a deadline in milliseconds', () => {
    expect(awaitInput({ taskId: TASK_ID, deadline: 90 * 60_000 }).deadlineMs).toBe(90 * 60_000);
  });

  it.each([
    ['null', null],
    ['an array', [TASK_ID]],
    ['a string', TASK_ID],
    ['a number', 42],
  ])('refuses %s as input', (_, input) => {
    expect(refusal(() => awaitInput(input)).message).toMatch(/JSON object/);
  });

  it.each([
    ['a path', '../x'],
    ['a slash', 'a/b'],
    ['an empty id', ''],
    ['a 300-character id', 'a'.repeat(300)],
    ['a 129-character id', 'a'.repeat(129)],
    ['a NUL byte', 'video\u0000x'],
    ['a space', 'video abc'],
    ['a trailing newline', `${TASK_ID}\n`],
    ['unicode letters', 'vidéo_été'],
    ['a look-alike Cyrillic letter', 'vid\u0435o_1'],
    ['a leading "-" (an option to a CLI)', '-rf'],
    ['a leading "_"', '_video'],
    ['a dot', 'video.mp4'],
    ['a percent-encoded slash', 'a%2Fb'],
    ['a number', 123],
    ['nothing', undefined],
  ])('refuses a task id with %s', (_, taskId) => {
    expect(refusal(() => awaitInput({ taskId })).message).toMatch(/taskId/);
  });

  it('accepts a 128-character task id and gives it a safe default file name', () => {
    const taskId = `v${'a'.repeat(127)}`;
    const parsed = awaitInput({ taskId });
    expect(parsed.taskId).toBe(taskId);
    expect(checkFileName(parsed.fileName)).toEqual({ ok: true, fileName: `${taskId}.mp4` });
  });

  it('accepts only task ids that are one safe token, and their default file name is always allowed', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 140 }), fc.stringMatching(/^[A-Za-z0-9_-]{1,130}$/)),
        (taskId) => {
          let parsed;
          try {
            parsed = awaitInput({ taskId });
          } catch {
            return;
          }
          expect(parsed.taskId).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/);
          expect(checkFileName(parsed.fileName).ok).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['a path', '../x'],
    ['a slash', 'a/b'],
    ['a backslash', 'a\\b'],
    ['a NUL byte', 'video\u0000.mp4'],
    ['a leading dot (hidden file)', '.hidden'],
    ['the ".part" ending of partial downloads', 'x.part'],
    ['300 bytes', `${'a'.repeat(296)}.mp4`],
    ['the parent directory', '..'],
    ['the current directory', '.'],
    ['an empty name', ''],
    ['a newline', 'a\nb.mp4'],
  ])('refuses a file name with %s', (_, fileName) => {
    expect(refusal(() => awaitInput({ taskId: TASK_ID, fileName })).message).toMatch(/fileName/);
  });

  it('refuses a file name that is not a string', () => {
    expect(refusal(() => awaitInput({ taskId: TASK_ID, fileName: 42 })).message).toMatch(/fileName must be a string/);
  });

  it.each([
    ['upper case and spaces', 'Seedance 720p'],
    ['a slash', 'models/720p'],
    ['a number', 720],
    ['an empty name', ''],
  ])('refuses a model name with %s', (_, model) => {
    expect(refusal(() => awaitInput({ taskId: TASK_ID, model })).message).toMatch(/model/);
  });

  it('accepts a model it does not know yet (a future release)', () => {
    expect(awaitInput({ taskId: TASK_ID, model: 'seedance_2_0_pro_4k' }).model).toBe('seedance_2_0_pro_4k');
  });

  it.each(['fast', 'Flex', '', 1])('refuses serviceTier %j', (serviceTier) => {
    expect(refusal(() => awaitInput({ taskId: TASK_ID, serviceTier })).message).toMatch(/serviceTier/);
  });

  it.each(['soon', '-1h', '2 h', '', 0, -1, Number.NaN, true, { hours: 2 }])('refuses deadline %j', (deadline) => {
    expect(refusal(() => awaitInput({ taskId: TASK_ID, deadline })).message).toMatch(/deadline/);
  });
});

describe('parseGenerateInput', () => {
  it('passes a valid request through, with no file name and the 6 h deadline by default', () => {
    expect(generateInput({ request: validRequest })).toEqual({
      request: validRequest,
      fileName: undefined,
      deadlineMs: 6 * HOUR,
      deadlineExplicit: false,
    });
  });

  it('keeps every documented and optional field of a valid request', () => {
    const request = {
      ...validRequest,
      content: [
        ...validRequest.content,
        { type: 'image_url', image_url: { url: 'https://example.com/first.png' }, role: 'first_frame' },
      ],
      ratio: '9:16',
      duration: -1,
      generate_audio: false,
      watermark: false,
      seed: 42,
      camera_fixed: true,
      service_tier: 'flex',
    };
    expect(generateInput({ request, fileName: 'fox.mp4', deadline: '2h' })).toEqual({
      request,
      fileName: 'fox.mp4',
      deadlineMs: 2 * HOUR,
      deadlineExplicit: true,
    });
  });

  it("accepts ModelArk's options (each provider then applies its own rules before sending)", () => {
    const request = {
      model: 'seedance-1-5-pro-251215',
      content: [{ type: 'text', text: 'a red fox in snow' }],
      resolution: '1080p',
      draft: false,
      execution_expires_after: 3600,
      return_last_frame: true,
      service_tier: 'flex',
    };
    expect(generateInput({ request }).request).toEqual(request);
    const draftRender = {
      model: 'seedance-1-5-pro-251215',
      content: [{ type: 'draft_task', draft_task: { id: 'cgt-1' } }],
    };
    expect(generateInput({ request: draftRender }).request).toEqual(draftRender);
  });

  it('reads null options as absent, as the official ModelArk SDK sends them', () => {
    const request = { ...validRequest, ratio: null, seed: null, resolution: null, callback_url: null };
    expect(generateInput({ request }).request).toEqual(validRequest);
  });

  it.each([
    ['a resolution of 4k', { resolution: '4k' }, /resolution/],
    ['an expiry under an hour', { execution_expires_after: 600 }, /execution_expires_after/],
    ['an expiry over three days', { execution_expires_after: 300_000 }, /execution_expires_after/],
  ])('refuses a ModelArk option with %s, naming it', (_, extra, field) => {
    const failure = refusal(() => generateInput({ request: { ...validRequest, ...extra } }));
    expect(failure.message).toMatch(field);
  });

  it.each([
    ['no request at all', undefined, /request/],
    ['a missing model', { content: validRequest.content }, /model/],
    ['an upper-case model', { ...validRequest, model: 'Seedance' }, /model/],
    ['empty content', { ...validRequest, content: [] }, /content/],
    [
      'content without a text item',
      { ...validRequest, content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] },
      /content/,
    ],
    ['an empty prompt', { ...validRequest, content: [{ type: 'text', text: '' }] }, /content\.0\.text/],
    [
      'an http image URL',
      {
        ...validRequest,
        content: [...validRequest.content, { type: 'image_url', image_url: { url: 'http://example.com/a.png' } }],
      },
      /content\.1\.image_url\.url/,
    ],
    [
      'an unknown image role',
      {
        ...validRequest,
        content: [
          ...validRequest.content,
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' }, role: 'middle' },
        ],
      },
      /content\.1\.role/,
    ],
    ['a duration of 3 s', { ...validRequest, duration: 3 }, /duration/],
    ['a duration of 13 s', { ...validRequest, duration: 13 }, /duration/],
    ['a fractional duration', { ...validRequest, duration: 5.5 }, /duration/],
    ['an unknown ratio', { ...validRequest, ratio: '2:1' }, /ratio/],
    ['a seed below -1', { ...validRequest, seed: -2 }, /seed/],
    ['a seed above 2^32 - 1', { ...validRequest, seed: 2 ** 32 }, /seed/],
    ['an unknown service tier', { ...validRequest, service_tier: 'fast' }, /service_tier/],
    ['a field the API does not have', { ...validRequest, callback_url: 'https://example.com/hook' }, /callback_url/],
  ])('refuses a request with %s, naming the field', (_, request, field) => {
    const failure = refusal(() => generateInput({ request }));
    expect(failure.message).toMatch(/request is not a valid Seedance create request/);
    expect(failure.message).toMatch(field);
  });

  it('refuses a bad file name and a bad deadline, naming them', () => {
    expect(refusal(() => generateInput({ request: validRequest, fileName: '../x.mp4' })).message).toMatch(/fileName/);
    expect(refusal(() => generateInput({ request: validRequest, deadline: 'soon' })).message).toMatch(/deadline/);
  });

  it('refuses input that is not an object', () => {
    expect(refusal(() => generateInput(null)).message).toMatch(/JSON object/);
  });
});
