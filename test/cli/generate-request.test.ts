import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/exit-codes';
import { DEFAULT_MODEL, toGenerateInput } from '../../src/cli/generate-request';
import { thrownBy } from '../helpers/assertions';

function refusal(prompt: string, options: Parameters<typeof toGenerateInput>[1] = {}): string {
  return thrownBy(() => toGenerateInput(prompt, options), UsageError).message;
}

describe('generate arguments to the workflow input', () => {
  it('makes a text request with the default model from a prompt alone', () => {
    expect(toGenerateInput('  a red fox  ', {})).toEqual({
      request: { model: DEFAULT_MODEL, content: [{ type: 'text', text: 'a red fox' }] },
    });
  });

  it('converts every option to the request field the API names', () => {
    const input = toGenerateInput('a red fox', {
      model: 'seedance-1-5-pro-251215',
      ratio: '9:16',
      duration: '8',
      resolution: '1080p',
      seed: '42',
      audio: false,
      watermark: true,
      cameraFixed: true,
      serviceTier: 'flex',
      expiresAfter: '7200',
      returnLastFrame: true,
      firstFrame: 'https://example.com/first.png',
      referenceImage: ['https://example.com/a.png', 'https://example.com/b.png'],
      fileName: 'fox.mp4',
      deadline: '2h',
    });
    expect(input).toEqual({
      request: {
        model: 'seedance-1-5-pro-251215',
        content: [
          { type: 'text', text: 'a red fox' },
          { type: 'image_url', image_url: { url: 'https://example.com/first.png' }, role: 'first_frame' },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png' }, role: 'reference_image' },
          { type: 'image_url', image_url: { url: 'https://example.com/b.png' }, role: 'reference_image' },
        ],
        ratio: '9:16',
        duration: 8,
        resolution: '1080p',
        seed: 42,
        generate_audio: false,
        watermark: true,
        camera_fixed: true,
        service_tier: 'flex',
        execution_expires_after: 7200,
        return_last_frame: true,
      },
      fileName: 'fox.mp4',
      deadline: '2h',
    });
  });

  it('accepts a ModelArk endpoint id as the model', () => {
    expect(toGenerateInput('fox', { model: 'ep-20250101-abcde' }).request.model).toBe('ep-20250101-abcde');
  });

  it('refuses an empty prompt', () => {
    expect(refusal('   ')).toContain('the prompt is empty');
  });

  it('refuses an unknown model and names the known ones', () => {
    const message = refusal('fox', { model: 'seedance_2_0_pro' });
    expect(message).toContain('unknown model "seedance_2_0_pro"');
    expect(message).toContain('seedance_1_5_pro_1080p');
  });

  it('refuses numbers that are not whole, and out of range, naming the flag', () => {
    expect(refusal('fox', { duration: '5.5' })).toContain('--duration must be a whole number');
    expect(refusal('fox', { duration: '30' })).toContain('--duration: duration is 4-12 seconds');
    expect(refusal('fox', { expiresAfter: '60' })).toContain(
      '--expires-after: execution_expires_after is at least 3600',
    );
  });

  it('refuses an http image, an unsafe file name and a bad deadline, all at once', () => {
    const message = refusal('fox', { firstFrame: 'http://example.com/a.png', fileName: '../x.mp4', deadline: 'soon' });
    expect(message).toContain('image URLs must be https');
    expect(message).toContain('--file-name: the file name must be one path segment');
    expect(message).toContain('--deadline must be a duration');
  });
});
