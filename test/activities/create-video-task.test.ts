import { describe, expect, it } from 'vitest';
import { createCertainlyFailed } from '../../src/activities/create-video-task';
import {
  SeedanceForbiddenError,
  SeedanceInvalidRequestError,
  SeedanceInvalidResponseError,
  SeedanceNetworkError,
  SeedanceRateLimitedError,
  SeedanceServerError,
  SeedanceTimeoutError,
  SeedanceUnauthorizedError,
} from '../../src/seedance/errors';

/**
 * The create endpoint has no idempotency key: a create is sent again only when it certainly
 * created nothing, so a task is never paid for twice.
 */
describe('createCertainlyFailed', () => {
  it.each([
    ['a 429 (rate limited)', new SeedanceRateLimitedError('slow down', 5000, { status: 429 })],
    ['a 429 without Retry-After', new SeedanceRateLimitedError('slow down', undefined, { status: 429 })],
    ['a connection never established (request not sent)', new SeedanceNetworkError('ECONNREFUSED: not sent', false)],
    ['a 400 (request refused as invalid)', new SeedanceInvalidRequestError('invalid', { status: 400 })],
    ['a 404 on create (wrong base URL)', new SeedanceInvalidRequestError('no such endpoint', { status: 404 })],
    ['a 401 (bad key)', new SeedanceUnauthorizedError('bad key', { status: 401 })],
    ['a 403 (key not allowed)', new SeedanceForbiddenError('forbidden', { status: 403 })],
    [
      'a request our schema refused before sending',
      new SeedanceInvalidRequestError('The create request is invalid: duration: ...'),
    ],
  ])('is sure nothing was created after %s', (_, error) => {
    expect(createCertainlyFailed(error)).toBe(true);
  });

  it.each([
    [
      'a network error after the request may have been sent',
      new SeedanceNetworkError('ECONNRESET: may have reached it', true),
    ],
    ['a timeout', new SeedanceTimeoutError('did not answer in time')],
    ['a 500', new SeedanceServerError('server error', { status: 500 })],
    ['a 502 gateway page', new SeedanceServerError('bad gateway', { status: 502 })],
    ['a 504 gateway timeout', new SeedanceServerError('gateway timeout', { status: 504 })],
    ['a 2xx whose body we cannot read', new SeedanceInvalidResponseError('not JSON')],
    ['an unknown Error', new Error('socket hang up')],
    ['a TypeError', new TypeError('fetch failed')],
    ['a thrown string', 'boom'],
    ['undefined', undefined],
    ['null', null],
  ])('is not sure after %s, so the create is not sent again', (_, error) => {
    expect(createCertainlyFailed(error)).toBe(false);
  });
});
