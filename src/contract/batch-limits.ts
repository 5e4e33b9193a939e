/**
 * The bounds of a `generateSeedanceVideos` input: the workflow refuses an input outside them
 * (`SeedanceInvalidInput`), and the terminal command checks a batch file against the same numbers
 * before it starts anything.
 */

/** Children at once when the input does not say. */
export const BATCH_DEFAULT_MAX_CONCURRENT = 10;
/** More children at once than this is a load on the provider's queue that no account allows. */
export const BATCH_MAX_CONCURRENT = 100;
/**
 * Items per batch. The batch's result and its `batchStatus` answer hold every item (about 400
 * bytes a stored video), and must fit one Temporal payload (2 MB, warned at 512 KB).
 */
export const BATCH_MAX_ITEMS = 1_000;

/** Why `value` is not a `maxConcurrent` (a whole number from 1 to {@link BATCH_MAX_CONCURRENT}); undefined if it is one. */
export function maxConcurrentProblem(value: unknown): string | undefined {
  const ok = typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= BATCH_MAX_CONCURRENT;
  return ok ? undefined : `maxConcurrent must be a whole number from 1 to ${BATCH_MAX_CONCURRENT}`;
}
