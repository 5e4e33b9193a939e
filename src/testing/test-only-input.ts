/**
 * Input fields the workflows read but do not document, for this repository's own tests and
 * scripts. Not re-exported by `seedance-temporal/testing` (the package's `exports` map reaches its
 * index only), so no user comes to depend on them.
 */
export interface TestOnlyInput {
  /**
   * Continue as new past this many history events instead of 2,000, so a test sees several runs
   * in seconds. Carried to later runs with the rest of the input.
   */
  historyEventsBeforeContinue?: number;
  /** A wait's `pollStatus` returns after this many status reads instead of 20, so the history grows. */
  readsPerPoll?: number;
}
