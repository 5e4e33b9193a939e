/**
 * Serving a file from the file host (the MP4, or ModelArk's last-frame PNG): Range/If-Range, HEAD,
 * and the faults that shape the body.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { Exchange } from './exchange';
import type { VideoFault } from './faults';
import type { VideoFile } from './sample-video';
import { decideRange, type RangeDecision } from './range';

const CHUNK_BYTES = 16 * 1024;
/** After the last byte before a reset, give the client a moment to read it so the RST cannot overtake it. */
const RESET_GRACE_MS = 20;
const THROTTLE_TICK_MS = 100;

export async function serveVideo(
  ex: Exchange,
  file: VideoFile,
  fault: VideoFault | undefined,
  contentType = 'video/mp4',
): Promise<void> {
  switch (fault?.kind) {
    case 'notMp4':
      return ex.send(
        200,
        { 'Content-Type': 'video/mp4' },
        '<!DOCTYPE html><html><body><h1>Video unavailable</h1></body></html>\n',
      );
    case 'oversize':
      return serveOversize(ex, file, fault.declaredBytes, contentType);
    case 'chunkedOversize':
      return serveChunked(ex, file, fault.totalBytes, contentType);
  }
  const total = file.bytes.length;
  const decision: RangeDecision =
    fault?.kind === 'ignoreRange'
      ? { kind: 'full' }
      : decideRange(
          { range: header(ex, 'range'), ifRange: header(ex, 'if-range'), ifMatch: header(ex, 'if-match') },
          file.etag,
          total,
        );
  const headers: OutgoingHttpHeaders = { 'Content-Type': contentType, 'Accept-Ranges': 'bytes', ETag: file.etag };

  if (decision.kind === 'preconditionFailed') return ex.send(412, headers);
  if (decision.kind === 'unsatisfiable') return ex.send(416, { ...headers, 'Content-Range': `bytes */${total}` });
  const [start, end] = decision.kind === 'partial' ? [decision.start, decision.end] : [0, total - 1];
  const body = file.bytes.subarray(start, end + 1);
  if (decision.kind === 'partial') headers['Content-Range'] = `bytes ${start}-${end}/${total}`;
  ex.head(decision.kind === 'partial' ? 206 : 200, { ...headers, 'Content-Length': body.length });
  if (ex.isHead) return void ex.res.end();
  return deliver(ex, body, fault);
}

async function deliver(ex: Exchange, body: Buffer, fault: VideoFault | undefined): Promise<void> {
  switch (fault?.kind) {
    case 'reset':
      await writeAll(ex, body.subarray(0, fault.afterBytes));
      await ex.wait(RESET_GRACE_MS);
      return void ex.res.socket?.resetAndDestroy();
    case 'fin':
      // A clean FIN although Content-Length promised more.
      await writeAll(ex, body.subarray(0, fault.afterBytes));
      return void ex.res.socket?.end();
    case 'stall':
      await writeAll(ex, body.subarray(0, fault.afterBytes ?? 0));
      return ex.untilClosed();
    case 'trickle':
      return paced(ex, body, fault.bytesPerInterval, fault.intervalMs);
    case 'throttle': {
      const intervalMs = Math.max(THROTTLE_TICK_MS, Math.ceil(1000 / fault.bytesPerSecond));
      return paced(ex, body, Math.max(1, Math.round((fault.bytesPerSecond * intervalMs) / 1000)), intervalMs);
    }
    default:
      await writeAll(ex, body);
      ex.res.end();
  }
}

async function writeAll(ex: Exchange, bytes: Buffer): Promise<void> {
  for (let offset = 0; offset < bytes.length && !ex.closed; offset += CHUNK_BYTES) {
    await ex.write(bytes.subarray(offset, offset + CHUNK_BYTES));
  }
}

async function paced(ex: Exchange, body: Buffer, bytesPerInterval: number, intervalMs: number): Promise<void> {
  const step = Math.max(1, Math.floor(bytesPerInterval));
  for (let offset = 0; offset < body.length && !ex.closed; offset += step) {
    if (offset > 0) await ex.wait(intervalMs);
    await ex.write(body.subarray(offset, offset + step));
  }
  if (!ex.closed) ex.res.end();
}

/** Declares a Content-Length above any sane cap, sends the real bytes, then drops the connection. */
async function serveOversize(ex: Exchange, file: VideoFile, declaredBytes: number, contentType: string): Promise<void> {
  ex.head(200, { 'Content-Type': contentType, 'Content-Length': declaredBytes });
  if (ex.isHead) return void ex.res.end();
  await writeAll(ex, file.bytes);
  ex.res.destroy();
}

/** No Content-Length: chunked encoding, repeating the file until `totalBytes` were sent. */
async function serveChunked(ex: Exchange, file: VideoFile, totalBytes: number, contentType: string): Promise<void> {
  ex.head(200, { 'Content-Type': contentType });
  if (ex.isHead) return void ex.res.end();
  for (let sent = 0; sent < totalBytes && !ex.closed;) {
    const offset = sent % file.bytes.length;
    const chunk = file.bytes.subarray(offset, offset + Math.min(CHUNK_BYTES, totalBytes - sent));
    await ex.write(chunk);
    sent += chunk.length;
  }
  if (!ex.closed) ex.res.end();
}

function header(ex: Exchange, name: string): string | undefined {
  const value = ex.req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
