import { describe, expect, it } from 'vitest';
import { parseBatchFile } from '../../src/cli/batch-file';
import { UsageError } from '../../src/cli/exit-codes';
import { listQuery } from '../../src/cli/commands/list';
import { thrownBy } from '../helpers/assertions';

const request = { model: 'seedance_1_5_pro_480p', content: [{ type: 'text', text: 'a cat' }] };

function refusal(text: string, flags = {}): string {
  return thrownBy(() => parseBatchFile(text, 'prompts.json', {}, flags), UsageError).message;
}

describe('the batch file', () => {
  it("takes the workflow's own input as is", () => {
    const input = { items: [{ request, fileName: 'cat.mp4' }], maxConcurrent: 3, deadline: '2h' };
    expect(parseBatchFile(JSON.stringify(input), 'b.json')).toEqual(input);
  });

  it("makes plain prompts into requests with generate's options, and flags win over the file", () => {
    const text = JSON.stringify(['a red fox', { prompt: 'a cat', fileName: 'cat.mp4' }, { request }]);
    expect(
      parseBatchFile(text, 'b.json', { model: 'seedance_1_5_pro_1080p', ratio: '1:1' }, { maxConcurrent: '4' }),
    ).toEqual({
      items: [
        { request: { model: 'seedance_1_5_pro_1080p', ratio: '1:1', content: [{ type: 'text', text: 'a red fox' }] } },
        {
          request: { model: 'seedance_1_5_pro_1080p', ratio: '1:1', content: [{ type: 'text', text: 'a cat' }] },
          fileName: 'cat.mp4',
        },
        { request },
      ],
      maxConcurrent: 4,
    });
  });

  it('refuses a file that is not JSON, or holds no list', () => {
    expect(refusal('{"items": [')).toMatch(/^prompts.json is not JSON/);
    expect(refusal('{"prompts": []}')).toContain('must hold a list');
    expect(refusal('[]')).toContain('has no items');
  });

  it('names every bad item, and a bad concurrency', () => {
    const text = JSON.stringify({
      items: ['ok', '', { request: { model: 'x' } }, { prompt: 'a', fileName: '../a' }],
      maxConcurrent: 0,
    });
    const message = refusal(text);
    expect(message).toContain('item 1: the prompt is empty');
    expect(message).toContain('item 2: not a valid request');
    expect(message).toContain('item 3: fileName: the file name must be one path segment');
    expect(message).toContain('maxConcurrent must be a whole number from 1 to 100');
    expect(message).not.toContain('item 0');
  });
});

describe("list's visibility query", () => {
  it("selects the package's workflow types, and the filters asked for", () => {
    expect(listQuery({})).toBe(
      "WorkflowType IN ('awaitSeedanceVideo', 'generateSeedanceVideo', 'generateSeedanceVideos')",
    );
    expect(listQuery({ running: true, status: 'processing', query: "SeedanceModel = 'm'" })).toBe(
      "WorkflowType IN ('awaitSeedanceVideo', 'generateSeedanceVideo', 'generateSeedanceVideos') AND ExecutionStatus = 'Running' AND SeedanceStatus = 'processing' AND (SeedanceModel = 'm')",
    );
  });

  it('refuses a SeedanceStatus that does not exist', () => {
    expect(() => listQuery({ status: 'done' })).toThrow(UsageError);
  });
});
