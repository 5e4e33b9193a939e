/** Signed, expiring video URLs, like S3/TOS presigned links: `?expires=<ms>&sig=<hmac hex>`. */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export class UrlSigner {
  constructor(readonly secret: Buffer = randomBytes(32)) {}

  sign(taskId: string, expiresMs: number | string): string {
    return createHmac('sha256', this.secret).update(`${taskId}:${expiresMs}`).digest('hex');
  }

  /** The query string of a video URL for `taskId` that expires at `expiresMs`. */
  query(taskId: string, expiresMs: number): string {
    return `expires=${expiresMs}&sig=${this.sign(taskId, expiresMs)}`;
  }

  verify(taskId: string, expires: string | null, sig: string | null): boolean {
    if (expires === null || sig === null || !/^\d{1,16}$/.test(expires) || !/^[0-9a-f]{64}$/.test(sig)) return false;
    const expected = Buffer.from(this.sign(taskId, expires), 'hex');
    return timingSafeEqual(expected, Buffer.from(sig, 'hex'));
  }
}
