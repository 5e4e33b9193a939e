import { describe, expect, it } from 'vitest';
import { firstWords, seedanceBatchStaticMetadata, seedanceStaticMetadata } from '../../src/contract/static-metadata';
import type { BatchItem } from '../../src/contract/types';

const fox = 'a red fox running through snow at dawn, cinematic slow motion, golden light';

describe('seedanceStaticMetadata', () => {
  it('sums up a generation by its model and the first words of its prompt', () => {
    const { staticSummary, staticDetails } = seedanceStaticMetadata({
      request: { model: 'seedance_1_5_pro_720p', content: [{ type: 'text', text: fox }], ratio: '16:9', duration: 5 },
      fileName: 'fox.mp4',
    });
    expect(staticSummary).toBe('Seedance 720p: a red fox running through snow at dawn…');
    expect(staticDetails).toBe(
      [
        '**Generates a Seedance video** (generateSeedanceVideo)',
        '',
        '- Task: created by this run (its id: the `SeedanceTaskId` search attribute and the current details)',
        '- Model: `seedance_1_5_pro_720p`',
        `- Prompt: ${fox}`,
        '- Shape: 16:9, 5 s',
        '- File: `fox.mp4`',
      ].join('\n'),
    );
  });

  it('sums up a followed task by its id, model and file name', () => {
    const { staticSummary, staticDetails } = seedanceStaticMetadata({
      taskId: 'video_abc123',
      model: 'seedance_1_5_pro_1080p',
    });
    expect(staticSummary).toBe('Seedance task video\\_abc123 (1080p)');
    expect(staticDetails).toContain('- Task: `video_abc123`');
    expect(staticDetails).toContain('- Model: `seedance_1_5_pro_1080p`');
    expect(staticDetails).toContain('- File: `video_abc123.mp4`');
  });

  it('says the model comes from the first check when the input does not name it', () => {
    const { staticSummary, staticDetails } = seedanceStaticMetadata({ taskId: 'cgt-20251009163014-wfnnx' });
    expect(staticSummary).toBe('Seedance task cgt-20251009163014-wfnnx');
    expect(staticDetails).toContain('- Model: learned from the first status check');
  });

  it('keeps the summary on one line and the prompt from becoming markup', () => {
    const { staticSummary, staticDetails } = seedanceStaticMetadata({
      request: {
        model: 'seedance-1-5-pro-251215',
        resolution: '1080p',
        content: [
          { type: 'text', text: '**bold**\n\n[click](https://evil.example) <img src=x>' },
          { type: 'image_url', image_url: { url: 'https://cdn.example/first.png?X-Signature=secret' } },
        ],
      },
    });
    expect(staticSummary).not.toContain('\n');
    expect(staticSummary).toBe(
      'Seedance seedance-1-5-pro-251215 1080p: \\*\\*bold\\*\\* \\[click\\](https://evil.example) \\<img src=x\\>',
    );
    expect(staticDetails).toContain('- Images: 1');
    expect(staticDetails).not.toContain('X-Signature');
  });
});

describe('firstWords', () => {
  it('keeps a short prompt whole', () => {
    expect(firstWords('a red fox')).toBe('a red fox');
  });

  it('cuts a long word run at 60 characters', () => {
    const cut = firstWords('x'.repeat(100));
    expect(cut).toHaveLength(60);
    expect(cut.endsWith('…')).toBe(true);
  });
});

describe('seedanceBatchStaticMetadata', () => {
  const item = (text: string, model = 'seedance_1_5_pro_480p'): BatchItem => ({
    request: { model, content: [{ type: 'text', text }] },
  });

  it('counts the videos and models, and lists the first five prompts', () => {
    const items = [item(fox, 'seedance_1_5_pro_720p'), ...Array.from({ length: 6 }, (_, i) => item(`clip *${i}*`))];
    const { staticSummary, staticDetails } = seedanceBatchStaticMetadata({ items, maxConcurrent: 3 });
    expect(staticSummary).toBe('Seedance batch: 7 videos, at most 3 at once');
    expect(staticDetails).toBe(
      [
        '**Generates a batch of Seedance videos** (generateSeedanceVideos)',
        '',
        '- Videos: 7, at most 3 at once, each a child run `<batch id>/item-<n>`',
        '- Models: `seedance_1_5_pro_720p` (1), `seedance_1_5_pro_480p` (6)',
        '- Progress: the current details, and the `batchStatus` query',
        '',
        'First prompts (5 of 7):',
        '',
        '1. a red fox running through snow at dawn…',
        '2. clip \\*0\\*',
        '3. clip \\*1\\*',
        '4. clip \\*2\\*',
        '5. clip \\*3\\*',
      ].join('\n'),
    );
  });

  it('says the default limit, and survives an input the workflow will refuse', () => {
    expect(seedanceBatchStaticMetadata({ items: [item('one')] }).staticSummary).toBe(
      'Seedance batch: 1 video, at most 10 at once',
    );
    const many = Array.from({ length: 12 }, (_, i) => item(`clip ${i}`));
    expect(seedanceBatchStaticMetadata({ items: many }).staticSummary).toBe(
      'Seedance batch: 12 videos, at most 10 at once',
    );
    const broken = { items: [{ request: { model: 'seedance_1_5_pro_480p' } }] } as never;
    expect(seedanceBatchStaticMetadata(broken).staticDetails).toContain('1. (no text prompt)');
    expect(seedanceBatchStaticMetadata({} as never).staticSummary).toBe('Seedance batch: 0 videos, at most 10 at once');
  });
});
