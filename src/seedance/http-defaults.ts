/**
 * Defaults of the Seedance HTTP code (the task API client and the video download), one definition
 * each.
 */

/** Sent as `User-Agent` to the Seedance API and to the file host. */
export const DEFAULT_USER_AGENT = 'seedance-temporal/0.1';

/** Video download: time to open the connection to the file host (TCP and TLS). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Video download: time from request to response headers. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 30_000;

/** Video download: longest silence between body chunks. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
