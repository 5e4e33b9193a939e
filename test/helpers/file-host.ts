/** Handlers for the throwaway file hosts the HTTP-layer tests start on 127.0.0.1. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Serves `video` like a CDN: a strong ETag, `Range: bytes=N-` honoured unless `If-Range` names
 * another ETag, 416 past the end, otherwise the whole file with `headers200`.
 */
export function cdnLike(video: Buffer, etag: string, headers200: Record<string, string> = {}): Handler {
  return (req, res) => {
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (range && (ifRange === undefined || ifRange === etag)) {
      const start = Number(range[1]);
      if (start >= video.length) {
        res.writeHead(416, { 'content-range': `bytes */${video.length}`, etag });
        res.end();
        return;
      }
      res.writeHead(206, {
        'content-range': `bytes ${start}-${video.length - 1}/${video.length}`,
        'content-length': String(video.length - start),
        etag,
      });
      res.end(video.subarray(start));
      return;
    }
    res.writeHead(200, { 'content-length': String(video.length), etag, ...headers200 });
    res.end(video);
  };
}
