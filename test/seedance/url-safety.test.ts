import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkVideoUrl,
  describeUrl,
  isPrivateAddress,
  isPublicAddress,
  parseIPv4,
  parseIPv6,
} from '../../src/seedance/url-safety';

const octet = fc.integer({ min: 0, max: 255 });
const v4 = (a: number, b: number, c: number, d: number) => `${a}.${b}.${c}.${d}`;
const hex = (n: number) => n.toString(16);

/** An IPv4 address outside every special-purpose block. */
const publicV4 = fc
  .tuple(fc.integer({ min: 1, max: 223 }), octet, octet, octet)
  .filter(([a, b]) => {
    if ([10, 127].includes(a)) return false;
    if (a === 100 && b >= 64 && b <= 127) return false;
    if (a === 169 && b === 254) return false;
    if (a === 172 && b >= 16 && b <= 31) return false;
    if (a === 192 && [0, 88, 168].includes(b)) return false;
    if (a === 198 && [18, 19, 51].includes(b)) return false;
    if (a === 203 && b === 0) return false;
    return true;
  })
  .map(([a, b, c, d]) => v4(a, b, c, d));

function mappedHex(ip: string): string {
  const [a = 0, b = 0, c = 0, d = 0] = parseIPv4(ip) ?? [];
  return `::ffff:${hex((a << 8) | b)}:${hex((c << 8) | d)}`;
}

describe('isPrivateAddress', () => {
  it.each([
    '10.0.0.1',
    '127.0.0.1',
    '127.255.255.254',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '100.64.0.1',
    '100.127.255.255',
    '0.0.0.0',
    '0.1.2.3',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    '192.0.2.1',
    '198.51.100.7',
    '203.0.113.9',
    '198.18.0.1',
    '192.0.0.8',
  ])('refuses the IPv4 address %s', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each([
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'febf::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::FFFF:A9FE:A9FE',
    '::ffff:10.1.2.3',
    '64:ff9b::10.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2001:db8::1',
    '3fff::1',
    '2001::1',
    '2002:7f00:1::1',
    '[::1]',
    '::127.0.0.1',
  ])('refuses the IPv6 address %s', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('allows the public address %s', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it('fails closed on anything that is not a strict IP literal', () => {
    for (const text of [
      '',
      'localhost',
      'example.com',
      '127.1',
      '0x7f.0.0.1',
      '010.0.0.1',
      '2130706433',
      '1.2.3.4.5',
      '256.0.0.1',
      ':::1',
      '1::2::3',
    ]) {
      expect(isPrivateAddress(text), text).toBe(true);
    }
  });

  it('treats every address in 10/8, 127/8, 169.254/16, 172.16/12 and 192.168/16 as private', () => {
    const privateV4 = fc.oneof(
      fc.tuple(octet, octet, octet).map(([b, c, d]) => v4(10, b, c, d)),
      fc.tuple(octet, octet, octet).map(([b, c, d]) => v4(127, b, c, d)),
      fc.tuple(octet, octet).map(([c, d]) => v4(169, 254, c, d)),
      fc.tuple(fc.integer({ min: 16, max: 31 }), octet, octet).map(([b, c, d]) => v4(172, b, c, d)),
      fc.tuple(octet, octet).map(([c, d]) => v4(192, 168, c, d)),
    );
    fc.assert(fc.property(privateV4, (ip) => isPrivateAddress(ip)));
  });

  it('treats random addresses outside the special-purpose blocks as public', () => {
    fc.assert(fc.property(publicV4, (ip) => isPublicAddress(ip)));
  });

  it('judges IPv4-mapped and NAT64 forms exactly like the embedded IPv4 address', () => {
    const anyV4 = fc.tuple(octet, octet, octet, octet).map(([a, b, c, d]) => v4(a, b, c, d));
    fc.assert(
      fc.property(anyV4, (ip) => {
        const expected = isPrivateAddress(ip);
        return (
          isPrivateAddress(`::ffff:${ip}`) === expected &&
          isPrivateAddress(mappedHex(ip)) === expected &&
          isPrivateAddress(`64:ff9b::${ip}`) === expected
        );
      }),
    );
  });

  it('parses every spelling of an IPv6 address to the same groups', () => {
    const groups = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });
    fc.assert(
      fc.property(groups, (g) => {
        const full = g.map(hex).join(':');
        const padded = g.map((n) => n.toString(16).padStart(4, '0').toUpperCase()).join(':');
        return (
          JSON.stringify(parseIPv6(full)) === JSON.stringify(g) &&
          JSON.stringify(parseIPv6(padded)) === JSON.stringify(g)
        );
      }),
    );
    expect(parseIPv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    expect(parseIPv6('1::')).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('checkVideoUrl', () => {
  const strict = { allowPrivate: false };

  it('accepts an https URL on a public host, with a non-default port', () => {
    const check = checkVideoUrl('https://cdn.example.com:8443/v/video.mp4?X-Amz-Signature=abc', strict);
    expect(check.ok).toBe(true);
    if (check.ok) expect(check.url.port).toBe('8443');
  });

  it.each([
    ['http://cdn.example.com/v.mp4', /https/],
    ['ftp://cdn.example.com/v.mp4', /https/],
    ['file:///etc/passwd', /https/],
    ['https://user:pass@cdn.example.com/v.mp4', /credentials/],
    ['https://127.0.0.1/v.mp4', /private/],
    ['https://169.254.169.254/latest/meta-data', /private/],
    ['https://[::1]/v.mp4', /private/],
    ['https://[::ffff:7f00:1]/v.mp4', /private/],
    ['https://0x7f.1/v.mp4', /private/],
    ['https://2130706433/v.mp4', /private/],
    ['https://10.0.0.5:9000/v.mp4', /private/],
    ['https://localhost/v.mp4', /local host name/],
    ['https://metadata/computeMetadata', /local host name/],
    ['not a url', /not a valid/],
  ])('refuses %s', (url, reason) => {
    const check = checkVideoUrl(url, strict);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(reason);
  });

  it('allows http and private addresses only with allowPrivate', () => {
    expect(checkVideoUrl('http://127.0.0.1:8080/v.mp4', { allowPrivate: true }).ok).toBe(true);
    expect(checkVideoUrl('http://localhost:8080/v.mp4', { allowPrivate: true }).ok).toBe(true);
    expect(checkVideoUrl('https://user@127.0.0.1/v.mp4', { allowPrivate: true }).ok).toBe(false);
  });

  it('lets a test narrow the allowed addresses', () => {
    const policy = { allowPrivate: true, isAllowedAddress: (ip: string) => ip === '127.0.0.1' };
    expect(checkVideoUrl('http://127.0.0.1/v.mp4', policy).ok).toBe(true);
    expect(checkVideoUrl('http://127.0.0.2/v.mp4', policy).ok).toBe(false);
  });

  it('never puts the query string or path of the URL into a reason', () => {
    const secret = 'Signature=SECRET123';
    const urls = fc.constantFrom(
      `http://cdn.example.com/p/SECRET123.mp4?${secret}`,
      `https://u:p@cdn.example.com/x?${secret}`,
      `https://127.0.0.1/x?${secret}`,
      `https://localhost/x?${secret}`,
      `gopher://x/?${secret}`,
      `https://[::1/x?${secret}`,
    );
    fc.assert(
      fc.property(urls, fc.boolean(), (url, allowPrivate) => {
        const check = checkVideoUrl(url, { allowPrivate, isAllowedAddress: () => false });
        return check.ok || !check.reason.includes('SECRET123');
      }),
    );
  });

  it('describes a URL by origin and path only', () => {
    expect(describeUrl(new URL('https://cdn.example.com/v/a.mp4?sig=1#x'))).toBe('https://cdn.example.com/v/a.mp4');
  });
});
