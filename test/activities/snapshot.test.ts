import { describe, expect, it } from 'vitest';
import { toSnapshot as snapshotOf } from '../../src/activities/snapshot';
import { fromResellerTask } from '../../src/seedance/reseller-provider';
import { SeedanceInvalidResponseError } from '../../src/seedance/errors';
import type { SeedanceTask } from '../../src/seedance/schemas';

const SIGNED_URL = 'https://files.example.com/video_abc123def456.mp4?X-Amz-Signature=s3cr3t-signature';

/** The reseller's task through its adapter, as the activities see it. */
const toSnapshot = (task: SeedanceTask) => snapshotOf(fromResellerTask(task));

const base: SeedanceTask = {
  id: 'video_abc123def456',
  object: 'video',
  created: 1761635478,
  model: 'seedance_1_5_pro_720p',
  status: 'processing',
  video_url: null,
  error: null,
};

describe('toSnapshot', () => {
  it('records a running task with `created` converted from seconds to milliseconds', () => {
    expect(toSnapshot(base)).toEqual({
      taskId: 'video_abc123def456',
      model: 'seedance_1_5_pro_720p',
      createdMs: 1_761_635_478_000,
      status: 'processing',
      actualDuration: null,
      error: null,
    });
  });

  it('leaves the signed video_url out of a completed task (it would be stored in history)', () => {
    const snapshot = toSnapshot({ ...base, status: 'completed', video_url: SIGNED_URL, actualDuration: 7.2 });
    expect(snapshot).not.toHaveProperty('video_url');
    expect(JSON.stringify(snapshot)).not.toContain('s3cr3t-signature');
    expect(JSON.stringify(snapshot)).not.toContain('files.example.com');
    expect(snapshot).toMatchObject({ status: 'completed', actualDuration: 7.2, error: null });
    // The reseller's URLs live one day from creation.
    expect(snapshot.videoUrlExpiresAtMs).toBe(1_761_635_478_000 + 24 * 3600_000);
  });

  it.each([
    ['null', null],
    ['missing', undefined],
    ['empty', ''],
  ])('refuses a completed task whose video_url is %s, as an invalid (retryable) response', (_, videoUrl) => {
    const task = { ...base, status: 'completed' as const, video_url: videoUrl };
    expect(() => toSnapshot(task)).toThrow(SeedanceInvalidResponseError);
    expect(() => toSnapshot(task)).toThrow(/video_abc123def456 is completed but its status carries no video URL/);
  });

  it("keeps the API's error of a failed task", () => {
    expect(toSnapshot({ ...base, status: 'failed', error: 'content policy violation' })).toMatchObject({
      status: 'failed',
      error: 'content policy violation',
    });
  });

  it('gives a failed task without an error message a null error', () => {
    expect(toSnapshot({ ...base, status: 'failed', error: undefined }).error).toBeNull();
  });

  it('ignores an error field on a task that did not fail', () => {
    expect(toSnapshot({ ...base, status: 'cancelled', error: 'stale text' }).error).toBeNull();
    expect(toSnapshot({ ...base, status: 'queued', error: 'stale text' }).error).toBeNull();
  });

  it('does not need a video_url for a task that is not completed', () => {
    for (const status of ['queued', 'processing', 'failed', 'cancelled'] as const) {
      expect(toSnapshot({ ...base, status, video_url: undefined }).status).toBe(status);
    }
  });
});
