/**
 * The rate the `-api` task queue runs at, so that the provider never sees more than the budget in
 * any one second. Temporal's matching service limits a queue with a token bucket (per partition)
 * that starts full and refills while idle, its size the rate rounded up. So right after an idle
 * spell one second can carry a full bucket plus that second's refill, `2·ceil(rate) - 1` requests
 * on a one-partition queue, and a brand-new queue lets one more through before the rate reaches it
 * (measured: 7 in the first second at a rate of 3). The queue therefore runs at half the budget,
 * rounded down, the most whose worst second fits: the price of a per-second cap enforced by a token
 * bucket. A budget under two requests per second runs at half of it, a bucket of one.
 */
export function apiQueueRateLimit(requestsPerSecond: number): number {
  if (!(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) {
    throw new RangeError('the API budget must be a positive number of requests per second');
  }
  return requestsPerSecond < 2 ? requestsPerSecond / 2 : Math.floor(requestsPerSecond / 2);
}
