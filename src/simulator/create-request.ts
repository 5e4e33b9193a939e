/** The create endpoint's body: read with a size cap, parsed as JSON, validated like the real API. */
import type * as http from 'node:http';
import { createVideoRequestSchema, type ResellerCreateRequest } from '../seedance/schemas';

const MAX_BODY_BYTES = 1024 * 1024;

export type CreateRequestReading =
  { ok: true; request: ResellerCreateRequest } | { ok: false; status: 400 | 413; message: string };

export async function readCreateRequest(req: http.IncomingMessage): Promise<CreateRequestReading> {
  const body = await readBody(req, MAX_BODY_BYTES);
  if (body === undefined) return { ok: false, status: 413, message: 'request body too large' };
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, status: 400, message: 'the request body is not valid JSON' };
  }
  const parsed = createVideoRequestSchema.safeParse(json);
  if (!parsed.success) {
    const message = parsed.error.issues
      .map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`)
      .join('; ');
    return { ok: false, status: 400, message };
  }
  return { ok: true, request: parsed.data };
}

/** The body, or undefined when it is larger than `limit`. */
export async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
