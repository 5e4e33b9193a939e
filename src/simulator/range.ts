/** The Range / If-Range / If-Match decisions of the file endpoint (RFC 9110 section 14), single ranges only. */

export type RangeDecision =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number } // inclusive end, as in Content-Range
  | { kind: 'unsatisfiable' }
  | { kind: 'preconditionFailed' };

export interface ConditionalHeaders {
  range?: string | undefined;
  ifRange?: string | undefined;
  ifMatch?: string | undefined;
}

export function decideRange(headers: ConditionalHeaders, etag: string, total: number): RangeDecision {
  if (headers.ifMatch !== undefined && !matchesAny(headers.ifMatch, etag)) return { kind: 'preconditionFailed' };
  if (headers.range === undefined) return { kind: 'full' };
  // If-Range with another validator (a changed file, a weak tag or a date): send the whole new file.
  if (headers.ifRange !== undefined && headers.ifRange.trim() !== etag) return { kind: 'full' };
  return parseRange(headers.range, total);
}

/** A malformed or multi-part Range is ignored (full body), as the RFC allows. */
export function parseRange(header: string, total: number): RangeDecision {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return { kind: 'full' };
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') return suffixRange(Number(last), total);
  const start = Number(first);
  const lastPos = last === '' ? Number.MAX_SAFE_INTEGER : Number(last);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(lastPos) || lastPos < start) return { kind: 'full' };
  if (start >= total) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end: Math.min(lastPos, total - 1) };
}

function suffixRange(length: number, total: number): RangeDecision {
  if (!Number.isSafeInteger(length)) return { kind: 'full' };
  if (length === 0 || total === 0) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start: Math.max(0, total - length), end: total - 1 };
}

function matchesAny(ifMatch: string, etag: string): boolean {
  return ifMatch.split(',').some((tag) => tag.trim() === '*' || tag.trim() === etag);
}
