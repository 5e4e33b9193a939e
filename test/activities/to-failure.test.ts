import { ApplicationFailure, ApplicationFailureCategory, CancelledFailure } from '@temporalio/common';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DownloadError } from '../../src/activities/download-error';
import { toApplicationFailure } from '../../src/activities/to-failure';
import {
  SeedanceForbiddenError,
  SeedanceInvalidRequestError,
  SeedanceInvalidResponseError,
  SeedanceNetworkError,
  SeedanceRateLimitedError,
  SeedanceServerError,
  SeedanceTaskNotFoundError,
  SeedanceTimeoutError,
  SeedanceUnauthorizedError,
  SeedanceUnsafeUrlError,
  SeedanceVideoChangedError,
  SeedanceVideoUnavailableError,
  SeedanceVideoUrlExpiredError,
  type SeedanceError,
} from '../../src/seedance/errors';
import {
  InvalidS3LocationError,
  S3RequestError,
  S3TooManyPartsError,
  S3UploadGoneError,
  S3VerificationError,
} from '../../src/storage/s3/s3-errors';
import { UnsafeFileNameError } from '../../src/storage/types';

const SIGNED_URL = 'https://files.example.com/v.mp4?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=deadbeefcafe';

function mapped(error: unknown): ApplicationFailure {
  const failure = toApplicationFailure(error);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  return failure as ApplicationFailure;
}

function errno(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/** Every Seedance error class, its `code`, and whether the activity may simply run again. */
const SEEDANCE_ERRORS: Array<[SeedanceError, string, boolean]> = [
  [new SeedanceInvalidRequestError('refused (HTTP 400)', { status: 400 }), 'SeedanceInvalidRequest', false],
  [new SeedanceUnauthorizedError('refused the API key (HTTP 401)', { status: 401 }), 'SeedanceUnauthorized', false],
  [new SeedanceForbiddenError('refused access (HTTP 403)', { status: 403 }), 'SeedanceForbidden', false],
  [new SeedanceTaskNotFoundError('not found (HTTP 404)', 'video_x', { status: 404 }), 'SeedanceTaskNotFound', false],
  [new SeedanceRateLimitedError('slow down (HTTP 429)', undefined, { status: 429 }), 'SeedanceRateLimited', true],
  [new SeedanceServerError('server error (HTTP 502)', { status: 502 }), 'SeedanceServerError', true],
  [new SeedanceInvalidResponseError('not JSON'), 'SeedanceInvalidResponse', true],
  [new SeedanceNetworkError('ECONNRESET', true), 'SeedanceNetworkError', true],
  [new SeedanceTimeoutError('did not answer in time'), 'SeedanceTimeout', true],
  [new SeedanceUnsafeUrlError('private address'), 'SeedanceUnsafeUrl', false],
  [new SeedanceVideoUrlExpiredError('signed URL expired (HTTP 403)', { status: 403 }), 'SeedanceVideoUrlExpired', true],
  [new SeedanceVideoChangedError('ETag changed'), 'SeedanceVideoChanged', true],
  [new SeedanceVideoUnavailableError('HTTP 451'), 'SeedanceVideoUnavailable', false],
];

describe('toApplicationFailure', () => {
  it.each(
    SEEDANCE_ERRORS.map(
      ([error, type, retryable]) => [error.name, type, retryable ? 'retryable' : 'non-retryable', error] as const,
    ),
  )('maps %s to type %s, %s, keeping its message', (_, type, retry, error) => {
    const failure = mapped(error);
    expect(failure.type).toBe(type);
    expect(failure.type).toBe(error.code);
    expect(failure.nonRetryable).toBe(retry === 'non-retryable');
    expect(failure.message).toBe(error.message);
  });

  it("carries a 429's Retry-After as nextRetryDelay and in details[0].retryAfterMs", () => {
    const failure = mapped(new SeedanceRateLimitedError('slow down; retry after 30 s', 30_000, { status: 429 }));
    expect(failure.type).toBe('SeedanceRateLimited');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(30_000);
    expect(failure.details?.[0]).toEqual({ retryAfterMs: 30_000 });
    expect(failure.category).toBe(ApplicationFailureCategory.BENIGN);
  });

  it('leaves the retry delay to the retry policy when a 429 has no Retry-After', () => {
    const failure = mapped(new SeedanceRateLimitedError('slow down', undefined, { status: 429 }));
    expect(failure.nextRetryDelay).toBeUndefined();
    expect(failure.details ?? []).toEqual([]);
  });

  it('maps ENOSPC to SeedanceStorageFull, retryable (the download resumes once space is freed)', () => {
    const failure = mapped(errno('ENOSPC', 'ENOSPC: no space left on device, write'));
    expect(failure.type).toBe('SeedanceStorageFull');
    expect(failure.nonRetryable).toBe(false);
  });

  it('maps EDQUOT (quota exceeded) to SeedanceStorageFull too', () => {
    expect(mapped(errno('EDQUOT', 'disk quota exceeded')).type).toBe('SeedanceStorageFull');
  });

  it('maps other file-system errors to a retryable SeedanceStorageError naming only the code', () => {
    const failure = mapped(errno('EACCES', "EACCES: permission denied, open '/srv/videos/secret-name.mp4'"));
    expect(failure.type).toBe('SeedanceStorageError');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toBe('storage error EACCES');
  });

  it('maps a DownloadError to its own type and retryability', () => {
    const stalled = mapped(new DownloadError('DownloadStalled', 'under 1 KiB/s for 60 s'));
    expect(stalled).toMatchObject({
      type: 'SeedanceDownloadStalled',
      nonRetryable: false,
      message: 'under 1 KiB/s for 60 s',
    });
    const tooLarge = mapped(new DownloadError('VideoTooLarge', 'larger than 2 GiB'));
    expect(tooLarge).toMatchObject({ type: 'SeedanceVideoTooLarge', nonRetryable: true });
  });

  it('maps an unsafe file name to a non-retryable SeedanceInvalidFileName', () => {
    expect(mapped(new UnsafeFileNameError('the file name escapes the output root'))).toMatchObject({
      type: 'SeedanceInvalidFileName',
      nonRetryable: true,
    });
  });

  it('passes an ApplicationFailure and a CancelledFailure through unchanged', () => {
    const failure = ApplicationFailure.create({ type: 'Custom', message: 'as is', nonRetryable: true });
    expect(toApplicationFailure(failure)).toBe(failure);
    const cancelled = new CancelledFailure('cancelled');
    expect(toApplicationFailure(cancelled)).toBe(cancelled);
  });

  it('reduces an unknown Error to its class name, never its message (which may hold a signed URL)', () => {
    const failure = mapped(new TypeError(`fetch failed for ${SIGNED_URL}`));
    expect(failure.type).toBe('SeedanceInternalError');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toBe('TypeError in the activity');
    expect(JSON.stringify([failure.message, failure.details, failure.stack])).not.toContain('deadbeefcafe');
    expect(failure.cause).toBeUndefined();
  });

  it("never lets any unknown error's message into the failure message", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 12 }),
        fc.constantFrom(Error, TypeError, RangeError, SyntaxError),
        (text, Kind) => {
          const failure = mapped(new Kind(`${SIGNED_URL} ${text}`));
          expect(failure.message).not.toContain(text);
          expect(failure.message).not.toContain('X-Amz-Signature');
        },
      ),
    );
  });

  it('maps anything thrown that is not an Error to an unknown error', () => {
    for (const thrown of [SIGNED_URL, 42, null, undefined, { url: SIGNED_URL }]) {
      const failure = mapped(thrown);
      expect(failure.type).toBe('SeedanceInternalError');
      expect(failure.message).toBe('unknown error in the activity');
    }
  });

  it('quotes an error name or code only when it is a plain identifier', () => {
    const odd = new Error('x');
    odd.name = `Fetch ${SIGNED_URL}`;
    expect(mapped(odd).message).toBe('an unexpected error in the activity');
    const coded = Object.assign(new Error('x'), { code: `E ${SIGNED_URL}` });
    expect(mapped(coded).message).not.toContain('Signature');
  });
});

describe('toApplicationFailure of a storage backend error (S3)', () => {
  const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
  const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const PRESIGNED = `https://videos.s3.amazonaws.com/out/a.mp4?X-Amz-Credential=${ACCESS_KEY}&X-Amz-Signature=deadbeefcafe`;

  /** An error as the AWS SDK throws it: its S3 code, HTTP status, and a message that may quote anything. */
  function sdkError(code: string, status: number | undefined, message: string): Error {
    return Object.assign(new Error(message), {
      name: code,
      Code: code,
      $metadata: status === undefined ? {} : { httpStatusCode: status },
    });
  }

  const leaky = `${PRESIGNED} secret ${SECRET}`;

  it.each([
    ['503 SlowDown', sdkError('SlowDown', 503, leaky), 'S3 UploadPart failed: SlowDown (HTTP 503)', false],
    [
      '500 InternalError',
      sdkError('InternalError', 500, leaky),
      'S3 UploadPart failed: InternalError (HTTP 500)',
      false,
    ],
    ['403 AccessDenied', sdkError('AccessDenied', 403, leaky), 'S3 UploadPart failed: AccessDenied (HTTP 403)', true],
    ['404 NoSuchBucket', sdkError('NoSuchBucket', 404, leaky), 'S3 UploadPart failed: NoSuchBucket (HTTP 404)', true],
    [
      'a bad signature',
      sdkError('SignatureDoesNotMatch', 403, leaky),
      'S3 UploadPart failed: SignatureDoesNotMatch (HTTP 403)',
      true,
    ],
    // The SDK names a reset `TimeoutError`; Node's code says what happened.
    [
      'a connection reset',
      Object.assign(new Error(`read ECONNRESET ${leaky}`), { name: 'TimeoutError', code: 'ECONNRESET', $metadata: {} }),
      'S3 UploadPart failed: ECONNRESET',
      false,
    ],
    [
      'a code that is not an identifier',
      sdkError(PRESIGNED, 400, leaky),
      'S3 UploadPart failed: error (HTTP 400)',
      true,
    ],
  ] as const)(
    '%s after the SDK’s retries: SeedanceStorageError, with operation, code and status only',
    (_, cause, message, nonRetryable) => {
      const failure = mapped(new S3RequestError('UploadPart', cause));
      expect(failure.type).toBe('SeedanceStorageError');
      expect(failure.nonRetryable).toBe(nonRetryable);
      expect(failure.message).toBe(message);
      const everything = JSON.stringify([failure.message, failure.details, failure.stack, failure.cause ?? null]);
      for (const secret of [ACCESS_KEY, SECRET, 'X-Amz-Signature', 'deadbeefcafe'])
        expect(everything).not.toContain(secret);
    },
  );

  it('an upload that expired or was aborted: SeedanceStorageError, retryable (the next attempt starts a new upload)', () => {
    const failure = mapped(new S3UploadGoneError('videos', 'out/a.mp4', 'upload-1'));
    expect(failure).toMatchObject({
      type: 'SeedanceStorageError',
      nonRetryable: false,
      message: 'the multipart upload of s3://videos/out/a.mp4 no longer exists (expired or aborted)',
    });
  });

  it('bytes that do not verify: SeedanceStorageError, retryable', () => {
    const failure = mapped(new S3VerificationError('15 bytes were written, 16 expected'));
    expect(failure).toMatchObject({ type: 'SeedanceStorageError', nonRetryable: false });
  });

  it('a video of more than 10,000 parts: SeedanceVideoTooLarge, non-retryable', () => {
    const failure = mapped(new S3TooManyPartsError(8 * 1024 * 1024, 10_000));
    expect(failure).toMatchObject({ type: 'SeedanceVideoTooLarge', nonRetryable: true });
    expect(failure.message).toBe('the video exceeds 10000 parts of 8388608 bytes');
  });

  it('an unusable s3:// location: SeedanceStorageError, non-retryable', () => {
    const failure = mapped(new InvalidS3LocationError('bucket name "A_B" is not valid'));
    expect(failure).toMatchObject({ type: 'SeedanceStorageError', nonRetryable: true });
  });
});
