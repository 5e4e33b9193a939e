/**
 * Provider callbacks: the signed `callback_url` a create sends, and the receiver that turns each
 * callback into a `checkNow` signal (a hint the workflow confirms with a status read).
 */
export { signedCallbackUrl, verifiedWorkflowId, deriveCallbackSecret, carriesSignedWorkflowId } from './callback-url';
export {
  handleCallback,
  type CallbackRequest,
  type CallbackDecision,
  type AcceptedCallback,
  type RejectedCallback,
  type CallbackSignal,
  type CallbackRoute,
  type HandleCallbackOptions,
} from './handle-callback';
export { RecentKeys, DEFAULT_DEDUPE_WINDOW_MS, DEFAULT_DEDUPE_MAX_ENTRIES, type RecentKeysOptions } from './dedupe';
export {
  createTemporalSignaler,
  DEFAULT_SIGNAL_TIMEOUT_MS,
  SignalTimeoutError,
  type CallbackSignaler,
  type TemporalSignaler,
  type SignalOutcome,
  type TemporalSignalerOptions,
} from './signaler';
export {
  createCallbackRelay,
  DEFAULT_MAX_CONCURRENT_SIGNALS,
  type CallbackRelay,
  type CallbackRelayOptions,
  type CallbackResult,
  type CallbackOutcome,
  type CallbackStats,
  type CallbackLogger,
} from './relay';
export {
  startCallbackReceiver,
  DEFAULT_CALLBACK_PATH,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_BODY_TIMEOUT_MS,
  type CallbackReceiver,
  type CallbackReceiverOptions,
} from './receiver';
export { loadCallbackReceiverConfig, type CallbackReceiverConfig } from './receiver-config';
