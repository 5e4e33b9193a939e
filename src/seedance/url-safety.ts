/**
 * Which video URLs and addresses we may contact. Pure and free of Node imports, so workflow code
 * can use it too. The `video_url` comes from a remote party: by default only https to public
 * addresses is allowed; local simulators opt in with `allowPrivate`.
 */

/** Parses a strict dotted-quad IPv4 address (no leading zeros, no short forms). */
export function parseIPv4(text: string): [number, number, number, number] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes.push(value);
  }
  return bytes as [number, number, number, number];
}

/**
 * Parses an IPv6 address into its eight 16-bit groups. Accepts `::` compression, a trailing
 * dotted IPv4 part, surrounding brackets and a zone id (`fe80::1%eth0`).
 */
export function parseIPv6(text: string): number[] | undefined {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  if (s.length === 0 || !/^[0-9A-Fa-f:.]+$/.test(s)) return undefined;

  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const pieces = text.split(':');
  const groups: number[] = [];
  for (const [index, piece] of pieces.entries()) {
    if (index === pieces.length - 1 && piece.includes('.')) {
      const v4 = parseIPv4(piece);
      if (v4 === undefined) return undefined;
      groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(piece)) {
      groups.push(parseInt(piece, 16));
    } else {
      return undefined;
    }
  }
  return groups.length <= 8 ? groups : undefined;
}

type Cidr4 = readonly [a: number, b: number, c: number, d: number, prefix: number];

/** IANA special-purpose IPv4 ranges: none of them is a public file host. */
const NON_PUBLIC_V4: readonly Cidr4[] = [
  [0, 0, 0, 0, 8], // "this network"
  [10, 0, 0, 0, 8], // private
  [100, 64, 0, 0, 10], // carrier-grade NAT
  [127, 0, 0, 0, 8], // loopback
  [169, 254, 0, 0, 16], // link-local, incl. the cloud metadata address 169.254.169.254
  [172, 16, 0, 0, 12], // private
  [192, 0, 0, 0, 24], // IETF protocol assignments
  [192, 0, 2, 0, 24], // documentation (TEST-NET-1)
  [192, 88, 99, 0, 24], // 6to4 relay anycast
  [192, 168, 0, 0, 16], // private
  [198, 18, 0, 0, 15], // benchmarking
  [198, 51, 100, 0, 24], // documentation (TEST-NET-2)
  [203, 0, 113, 0, 24], // documentation (TEST-NET-3)
  [224, 0, 0, 0, 4], // multicast
  [240, 0, 0, 0, 4], // reserved, incl. broadcast 255.255.255.255
];

function v4ToInt(bytes: readonly number[]): number {
  return (((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)) >>> 0;
}

function inCidr4(address: number, [a, b, c, d, prefix]: Cidr4): boolean {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (address & mask) >>> 0 === (v4ToInt([a, b, c, d]) & mask) >>> 0;
}

function isPublicV4(bytes: readonly number[]): boolean {
  const address = v4ToInt(bytes);
  return !NON_PUBLIC_V4.some((range) => inCidr4(address, range));
}

function embeddedV4(high: number, low: number): number[] {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff];
}

function isPublicV6(g: readonly number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  // IPv4-mapped ::ffff:a.b.c.d and NAT64 64:ff9b::a.b.c.d reach the embedded IPv4 address.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) {
    return isPublicV4(embeddedV4(g6, g7));
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return isPublicV4(embeddedV4(g6, g7));
  }
  // Only global unicast (2000::/3) is public; ::, ::1, fc00::/7, fe80::/10, ff00::/8 and the
  // other reserved blocks all fall outside it.
  if ((g0 & 0xe000) !== 0x2000) return false;
  if (g0 === 0x2001 && g1 < 0x0200) return false; // 2001::/23 IETF protocol assignments (Teredo, ORCHID)
  if (g0 === 0x2001 && g1 === 0x0db8) return false; // documentation
  if (g0 === 0x3fff && (g1 & 0xf000) === 0) return false; // 3fff::/20 documentation
  if (g0 === 0x2002) return isPublicV4(embeddedV4(g1, g2)); // 6to4 embeds an IPv4 address
  return true;
}

/** Whether `ip` is an IP literal of a public, globally routable unicast address. */
export function isPublicAddress(ip: string): boolean {
  const v4 = parseIPv4(ip);
  if (v4 !== undefined) return isPublicV4(v4);
  const v6 = parseIPv6(ip);
  if (v6 !== undefined) return isPublicV6(v6);
  return false;
}

/**
 * Whether `ip` is private, loopback, link-local, CGNAT, multicast, reserved, documentation or
 * otherwise not a public unicast address. Anything that is not an IP literal counts as private:
 * the check fails closed.
 */
export function isPrivateAddress(ip: string): boolean {
  return !isPublicAddress(ip);
}

/** Whether `host` (as in `URL.hostname`, IPv6 in brackets) is an IP literal. */
export function isIpLiteral(host: string): boolean {
  return parseIPv4(host) !== undefined || (host.startsWith('[') && parseIPv6(host) !== undefined);
}

export interface VideoUrlPolicy {
  /** Allow http and private addresses: only for local simulators. */
  allowPrivate: boolean;
  /**
   * Which IP addresses may be contacted. Default: any when `allowPrivate`, else public ones only.
   * Tests narrow it to the local test server to exercise the refusals.
   */
  isAllowedAddress?: (ip: string) => boolean;
}

export type VideoUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

export function allowedAddressCheck(policy: VideoUrlPolicy): (ip: string) => boolean {
  return policy.isAllowedAddress ?? (policy.allowPrivate ? () => true : isPublicAddress);
}

/**
 * Checks a video URL before any connection. DNS names are checked again at connect time (see
 * guarded-connector.ts), since a public-looking name can resolve to a private address. The reason
 * never contains the URL's path or query: the query of a signed URL is a credential. `subject`
 * names the file in the reason (`video`, or `last frame` for its image).
 */
export function checkVideoUrl(url: string, policy: VideoUrlPolicy, subject = 'video'): VideoUrlCheck {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: `the ${subject} URL is not a valid absolute URL` };
  }
  const allowedSchemes = policy.allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!allowedSchemes.includes(parsed.protocol)) {
    return { ok: false, reason: `the ${subject} URL must use ${allowedSchemes.join(' or ')}, not ${parsed.protocol}` };
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return { ok: false, reason: `the ${subject} URL must not carry credentials` };
  }
  const host = parsed.hostname;
  if (host === '') return { ok: false, reason: `the ${subject} URL has no host` };
  if (isIpLiteral(host)) {
    if (!allowedAddressCheck(policy)(host.replace(/^\[|\]$/g, ''))) {
      return { ok: false, reason: `the ${subject} URL points to a private, loopback or link-local address (${host})` };
    }
  } else if (!policy.allowPrivate && isLocalName(host)) {
    return { ok: false, reason: `the ${subject} URL points to a local host name (${host.slice(0, 100)})` };
  }
  return { ok: true, url: parsed };
}

/** `localhost` and single-label names (`metadata`, `router`) never name a public file host. */
function isLocalName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost') || !name.includes('.');
}

/** The part of a URL that is safe to show in a message: origin and path, never the query. */
export function describeUrl(url: URL): string {
  const text = `${url.origin}${url.pathname}`;
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
