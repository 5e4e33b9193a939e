/**
 * The callback URL a create sends (`callback_url`), and how the receiver reads it back. The URL
 * names the workflow that created the task, signed with a key only the fleet knows, so a callback
 * can reach a `generateSeedanceVideo` run (whose id is the caller's choice, not `seedance-<id>`)
 * and a forged URL cannot steer signals at other workflows. No signature of the callback itself is
 * documented, so its body stays a hint either way: the workflow confirms with a status read.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const WORKFLOW_PARAM = 'workflowId';
const SIGNATURE_PARAM = 'sig';
const CONTEXT = 'seedance-temporal/callback/v1\n';
/** 128 bits of HMAC-SHA256, base64url: 22 characters. */
const SIGNATURE_BYTES = 16;
const MAX_WORKFLOW_ID_LENGTH = 1000;

/**
 * The signing key when `SEEDANCE_CALLBACK_SECRET` is not set: derived from the API key, so every
 * worker and receiver of a fleet agrees without another secret to distribute, and the key itself
 * never appears in the URL.
 */
export function deriveCallbackSecret(apiKey: string): string {
  return createHmac('sha256', apiKey).update('seedance-temporal callback key v1').digest('base64url');
}

function signature(secret: string, workflowId: string): Buffer {
  return createHmac('sha256', secret)
    .update(CONTEXT + workflowId)
    .digest()
    .subarray(0, SIGNATURE_BYTES);
}

/** `baseUrl` with the workflow id and its signature as query parameters (existing ones kept). */
export function signedCallbackUrl(baseUrl: string, workflowId: string, secret: string): string {
  const url = new URL(baseUrl);
  url.searchParams.set(WORKFLOW_PARAM, workflowId);
  url.searchParams.set(SIGNATURE_PARAM, signature(secret, workflowId).toString('base64url'));
  return url.toString();
}

/**
 * The workflow id a callback's query names, if its signature is right; `undefined` for a missing,
 * malformed or forged one (the receiver then falls back to `seedance-<taskId>`).
 */
export function verifiedWorkflowId(query: URLSearchParams, secret: string): string | undefined {
  const workflowId = query.get(WORKFLOW_PARAM);
  const sig = query.get(SIGNATURE_PARAM);
  if (!workflowId || !sig || workflowId.length > MAX_WORKFLOW_ID_LENGTH || !/^[A-Za-z0-9_-]{22}$/.test(sig)) {
    return undefined;
  }
  const given = Buffer.from(sig, 'base64url');
  const expected = signature(secret, workflowId);
  return given.length === expected.length && timingSafeEqual(given, expected) ? workflowId : undefined;
}

/** Whether the query carries a workflow id or signature at all (a forged or foreign one, when it does not verify). */
export function carriesSignedWorkflowId(query: URLSearchParams): boolean {
  return query.has(WORKFLOW_PARAM) || query.has(SIGNATURE_PARAM);
}
