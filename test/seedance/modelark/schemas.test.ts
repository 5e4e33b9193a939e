import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../../src/seedance/client';
import { SeedanceInvalidRequestError } from '../../../src/seedance/errors';
import {
  MODELARK_MODEL_ID,
  VOLCENGINE_MODEL_ID,
  modelIdFor,
  resolveModel,
} from '../../../src/seedance/modelark/models';
import {
  createRequestSchema,
  imageRuleProblem,
  listResponseSchema,
  taskSchema,
} from '../../../src/seedance/modelark/schemas';

const prompt = { type: 'text', text: 'a red fox in snow' } as const;
const image = (role?: string | null, url = 'https://img.example.com/a.png') => ({
  type: 'image_url',
  image_url: { url },
  ...(role === undefined ? {} : { role }),
});

function problems(request: unknown): string {
  const parsed = createRequestSchema.safeParse(request);
  return parsed.success ? '' : describeIssues(parsed.error.issues);
}

describe('the create request schema', () => {
  it.each([
    ['a model id', { model: 'seedance-1-5-pro-251215', content: [prompt] }],
    ['a Volcengine model id', { model: 'doubao-seedance-1-5-pro-251215', content: [prompt] }],
    ['an endpoint id', { model: 'ep-20251215123456-abcde', content: [prompt] }],
    [
      'every documented option',
      {
        model: 'seedance-1-5-pro-251215',
        content: [prompt],
        callback_url: 'https://hooks.example.com/ark?workflowId=w&sig=s',
        return_last_frame: true,
        service_tier: 'flex',
        execution_expires_after: 3600,
        generate_audio: false,
        draft: false,
        resolution: '1080p',
        ratio: '21:9',
        duration: 12,
        seed: 2 ** 32 - 1,
        camera_fixed: true,
        watermark: true,
      },
    ],
    ['duration -1 (the model picks)', { model: 'seedance-1-5-pro-251215', content: [prompt], duration: -1 }],
    ['seed -1 (random)', { model: 'seedance-1-5-pro-251215', content: [prompt], seed: -1 }],
    ['a first frame', { model: 'm', content: [prompt, image('first_frame')] }],
    ['a first frame without its role', { model: 'm', content: [prompt, image()] }],
    ['an image alone (no prompt)', { model: 'm', content: [image()] }],
    ['first then last frame', { model: 'm', content: [prompt, image('first_frame'), image('last_frame')] }],
    [
      'four reference images',
      { model: 'm', content: [prompt, ...Array.from({ length: 4 }, () => image('reference_image'))] },
    ],
    ['a data: image', { model: 'm', content: [prompt, image('first_frame', 'data:image/png;base64,iVBORw0KGgo=')] }],
    ['a draft at 480p', { model: 'm', content: [prompt], draft: true, resolution: '480p' }],
    [
      'a draft render',
      { model: 'm', content: [{ type: 'draft_task', draft_task: { id: 'cgt-20251009163014-wfnnx' } }] },
    ],
    [
      'an http callback (a local receiver)',
      { model: 'm', content: [prompt], callback_url: 'http://127.0.0.1:8080/cb' },
    ],
  ])('accepts %s', (_what, request) => {
    expect(problems(request)).toBe('');
  });

  it('accepts null for every option, as the official SDK sends them, and drops the nulls', () => {
    const request = {
      model: 'seedance-1-5-pro-251215',
      content: [prompt, { ...image(), role: null }],
      callback_url: null,
      return_last_frame: null,
      service_tier: null,
      execution_expires_after: null,
      generate_audio: null,
      draft: null,
      resolution: null,
      ratio: null,
      duration: null,
      seed: null,
      camera_fixed: null,
      watermark: null,
    };
    const parsed = createRequestSchema.parse(request);
    expect(parsed).toEqual({ model: 'seedance-1-5-pro-251215', content: [prompt, image()] });
    expect(JSON.stringify(parsed)).not.toContain('null');
  });

  it.each([
    ['no model', { content: [prompt] }, /model/],
    ['a model with a space', { model: 'seedance 1.5', content: [prompt] }, /model: a model or endpoint id/],
    ['the reseller model name', { model: 'seedance_1_5_pro_720p', content: [prompt] }, /reseller model name/],
    ['empty content', { model: 'm', content: [] }, /content needs at least one item/],
    ['an empty prompt', { model: 'm', content: [{ type: 'text', text: '' }] }, /prompt is empty/],
    [
      'an unknown content type',
      { model: 'm', content: [{ type: 'video_url', video_url: { url: 'https://x' } }] },
      /content/,
    ],
    [
      'an http image',
      { model: 'm', content: [prompt, image('first_frame', 'http://img.example.com/a.png')] },
      /image URLs must be https or data:image/,
    ],
    ['duration 3', { model: 'm', content: [prompt], duration: 3 }, /duration is 4-12 seconds/],
    ['duration 13', { model: 'm', content: [prompt], duration: 13 }, /duration is 4-12 seconds/],
    ['duration 5.5', { model: 'm', content: [prompt], duration: 5.5 }, /duration/],
    ['seed -2', { model: 'm', content: [prompt], seed: -2 }, /seed/],
    ['seed 2^32', { model: 'm', content: [prompt], seed: 2 ** 32 }, /seed/],
    ['resolution 4k', { model: 'm', content: [prompt], resolution: '4k' }, /resolution/],
    ['ratio 2:1', { model: 'm', content: [prompt], ratio: '2:1' }, /ratio/],
    ['service tier "scale"', { model: 'm', content: [prompt], service_tier: 'scale' }, /service_tier/],
    ['execution_expires_after 3599', { model: 'm', content: [prompt], execution_expires_after: 3599 }, /at least 3600/],
    [
      'execution_expires_after 345600',
      { model: 'm', content: [prompt], execution_expires_after: 345_600 },
      /at most 259200/,
    ],
    [
      'a callback with credentials',
      { model: 'm', content: [prompt], callback_url: 'https://u:p@x.example.com/' },
      /callback_url/,
    ],
    ['a callback that is not a URL', { model: 'm', content: [prompt], callback_url: 'hooks' }, /callback_url/],
    ['an unknown field (frames: not for 1.5 Pro)', { model: 'm', content: [prompt], frames: 121 }, /frames/],
    ['generate_audio as a string', { model: 'm', content: [prompt], generate_audio: 'true' }, /generate_audio/],
  ])('refuses %s', (_what, request, message) => {
    expect(problems(request)).toMatch(message);
  });

  describe('draft rules', () => {
    it('refuses a draft without a resolution: the default 720p is refused with draft', () => {
      expect(problems({ model: 'm', content: [prompt], draft: true })).toMatch(
        /resolution: a draft needs resolution 480p, given explicitly/,
      );
    });

    it.each(['720p', '1080p'])('refuses a draft at %s', (resolution) => {
      expect(problems({ model: 'm', content: [prompt], draft: true, resolution })).toMatch(/a draft is 480p only/);
    });

    it('refuses a draft that returns its last frame', () => {
      expect(
        problems({ model: 'm', content: [prompt], draft: true, resolution: '480p', return_last_frame: true }),
      ).toMatch(/return_last_frame: a draft cannot return its last frame/);
    });

    it('refuses a draft on the flex tier', () => {
      expect(
        problems({ model: 'm', content: [prompt], draft: true, resolution: '480p', service_tier: 'flex' }),
      ).toMatch(/service_tier: a draft cannot use the flex tier/);
    });

    it('lets draft: false take any resolution and option', () => {
      expect(
        problems({
          model: 'm',
          content: [prompt],
          draft: false,
          resolution: '1080p',
          return_last_frame: true,
          service_tier: 'flex',
        }),
      ).toBe('');
    });
  });

  describe('image roles', () => {
    it.each([
      [[], undefined],
      [['first_frame'], undefined],
      [[undefined], undefined],
      [['first_frame', 'last_frame'], undefined],
      [['reference_image'], undefined],
      [['last_frame'], /needs a first_frame image before it/],
      [['last_frame', 'first_frame'], /first_frame image followed by a last_frame image/],
      [[undefined, 'last_frame'], /give both roles/],
      [['first_frame', 'first_frame'], /followed by a last_frame/],
      [['first_frame', 'last_frame', 'last_frame'], /at most 2 images/],
      [['reference_image', 'first_frame'], /cannot be mixed/],
      [['last_frame', 'reference_image'], /cannot be mixed/],
      [Array(5).fill('reference_image'), /at most 4 reference_image/],
    ] as const)('%j -> %s', (roles, expected) => {
      const problem = imageRuleProblem(roles);
      if (expected === undefined) expect(problem).toBeUndefined();
      else expect(problem).toMatch(expected);
    });

    it('applies them to the request', () => {
      expect(problems({ model: 'm', content: [prompt, image('reference_image'), image('first_frame')] })).toMatch(
        /content: reference_image images cannot be mixed/,
      );
    });
  });
});

describe('reseller model names as aliases', () => {
  const byteplus = 'https://ark.ap-southeast.bytepluses.com/api/v3';
  const volcengine = 'https://ark.cn-beijing.volces.com/api/v3';

  it.each([
    ['seedance_1_5_pro_480p', '480p'],
    ['seedance_1_5_pro_720p', '720p'],
    ['seedance_1_5_pro_1080p', '1080p'],
  ] as const)('maps %s to the 1.5 Pro id at %s', (alias, resolution) => {
    expect(resolveModel(alias, undefined, byteplus)).toEqual({ model: MODELARK_MODEL_ID, resolution });
    expect(resolveModel(alias, resolution, byteplus)).toEqual({ model: MODELARK_MODEL_ID, resolution });
  });

  it('uses the doubao- id on a volces.com host', () => {
    expect(modelIdFor(volcengine)).toBe(VOLCENGINE_MODEL_ID);
    expect(modelIdFor(byteplus)).toBe(MODELARK_MODEL_ID);
    expect(modelIdFor('http://127.0.0.1:9000/api/v3')).toBe(MODELARK_MODEL_ID);
    expect(resolveModel('seedance_1_5_pro_720p', undefined, volcengine).model).toBe(VOLCENGINE_MODEL_ID);
  });

  it('refuses an alias whose resolution contradicts an explicit one', () => {
    expect(() => resolveModel('seedance_1_5_pro_720p', '1080p', byteplus)).toThrow(SeedanceInvalidRequestError);
    expect(() => resolveModel('seedance_1_5_pro_720p', '1080p', byteplus)).toThrow(
      /seedance_1_5_pro_720p means resolution 720p, but resolution is 1080p/,
    );
  });

  it('passes other model and endpoint ids through unchanged', () => {
    expect(resolveModel('ep-20251215123456-abcde', undefined, byteplus)).toEqual({
      model: 'ep-20251215123456-abcde',
      resolution: undefined,
    });
    expect(resolveModel(MODELARK_MODEL_ID, '1080p', volcengine)).toEqual({
      model: MODELARK_MODEL_ID,
      resolution: '1080p',
    });
  });
});

describe('the answer schemas', () => {
  const observed = {
    id: 'cgt-20260828062711-hj94q',
    model: 'seedance-1-0-pro-250528',
    status: 'succeeded',
    content: {
      video_url: 'https://ark-content-generation-ap-southeast-1.tos-ap-southeast-1.volces.com/a.mp4?X-Tos-Signature=s',
      last_frame_url: 'https://ark-content-generation-ap-southeast-1.tos-ap-southeast-1.volces.com/a_last-frame.png',
    },
    usage: { completion_tokens: 19845, total_tokens: 19845 },
    created_at: 1787869631,
    updated_at: 1787869648,
    seed: 17918,
    resolution: '480p',
    ratio: '16:9',
    duration: 2,
    framespersecond: 24,
    service_tier: 'default',
    execution_expires_after: 172800,
    draft: false,
    priority: 0,
    output_format: 'mp4',
  };

  it('reads the observed succeeded body (extra fields dropped)', () => {
    const task = taskSchema.parse(observed);
    expect(task.content?.video_url).toBe(observed.content.video_url);
    expect(task).not.toHaveProperty('priority');
  });

  it('reads a running task with only id, model, status and times', () => {
    expect(
      taskSchema.safeParse({ id: 'cgt-1', model: 'm', status: 'running', created_at: 1, updated_at: 2 }).success,
    ).toBe(true);
  });

  it('reads null for every optional field', () => {
    const nulls = Object.fromEntries(Object.keys(observed).map((key) => [key, null]));
    expect(taskSchema.safeParse({ ...nulls, id: 'cgt-1', status: 'queued' }).success).toBe(true);
  });

  it.each([
    ['no id', { status: 'queued' }],
    ['an unsafe id', { id: '../x', status: 'queued' }],
    ['no status', { id: 'cgt-1' }],
    ['an unknown status', { id: 'cgt-1', status: 'paused' }],
    ['created_at in ms as a string', { id: 'cgt-1', status: 'queued', created_at: '1787869631000' }],
  ])('refuses a task with %s', (_what, body) => {
    expect(taskSchema.safeParse(body).success).toBe(false);
  });

  it('reads a list, and null items as none', () => {
    expect(listResponseSchema.parse({ items: [observed], total: 1 }).items).toHaveLength(1);
    expect(listResponseSchema.parse({ items: null, total: 0 }).items).toEqual([]);
  });
});
