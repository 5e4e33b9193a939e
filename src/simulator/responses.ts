/** The bodies the simulator answers with: API JSON errors, gateway pages, file-host XML errors. */
import { STATUS_CODES } from 'node:http';
import type { Exchange } from './exchange';
import type { GatewayFault } from './faults';

const JSON_TYPE = 'application/json; charset=utf-8';

export function sendJson(ex: Exchange, status: number, body: unknown, headers: Record<string, string> = {}): void {
  ex.send(status, { 'Content-Type': JSON_TYPE, ...headers }, JSON.stringify(body));
}

export function errorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/** The reseller's `{ "error": { code, message, type } }`, the shape mirrors of this API use. */
export function sendApiError(
  ex: Exchange,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(ex, status, { error: { code: status, message, type: errorType(status) } }, headers);
}

/** An nginx-style error page, as a proxy in front of the API would send. */
export function gatewayPage(status: number): string {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

/** An S3/TOS-style XML error from the file host. */
export function sendStorageError(ex: Exchange, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>\n`;
  ex.send(status, { 'Content-Type': 'application/xml' }, body);
}

/** The gateway faults whose JSON body is the API's own error shape (each provider mode writes it). */
export type GatewayErrorFault = Extract<GatewayFault, { kind: 'status' | 'rateLimit' }>;
export type FaultErrorWriter = (ex: Exchange, fault: GatewayErrorFault) => void;

/** `Retry-After` as a `status` fault asks for it. */
export function retryAfterHeader(seconds: number | null | undefined): Record<string, string> {
  return seconds === undefined || seconds === null ? {} : { 'Retry-After': String(seconds) };
}

export async function sendGatewayFault(ex: Exchange, fault: GatewayFault, sendError: FaultErrorWriter): Promise<void> {
  switch (fault.kind) {
    case 'status':
      if (fault.body !== 'html') return sendError(ex, fault);
      return ex.send(
        fault.code,
        { 'Content-Type': 'text/html', ...retryAfterHeader(fault.retryAfterSeconds) },
        gatewayPage(fault.code),
      );
    case 'rateLimit':
      return sendError(ex, fault);
    case 'malformed':
      if (fault.body === 'wrongSchema') return sendJson(ex, 200, { id: 42, status: 'done', data: null });
      return ex.send(200, { 'Content-Type': JSON_TYPE }, '{"id":"video_');
    case 'hang':
      return ex.untilClosed();
  }
}

/** The reseller's JSON bodies for the `status` and `rateLimit` faults. */
export function sendResellerFaultError(ex: Exchange, fault: GatewayErrorFault): void {
  if (fault.kind === 'status') {
    return sendApiError(ex, fault.code, STATUS_CODES[fault.code] ?? 'error', retryAfterHeader(fault.retryAfterSeconds));
  }
  const seconds = fault.retryAfterSeconds === undefined ? 1 : fault.retryAfterSeconds;
  sendApiError(ex, 429, 'Too many requests, please slow down', retryAfterHeader(seconds));
}
