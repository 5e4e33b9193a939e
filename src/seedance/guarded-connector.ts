/**
 * The only way a video download connects: an undici agent whose every connection goes to an
 * allowed address. Security-critical.
 *
 * Why each connection is checked after DNS, not only the URL before it: the video URL (and every
 * redirect) comes from a remote party. `checkVideoUrl` vets the URL's text, but a public-looking
 * name can resolve to a private, loopback or link-local address (the cloud metadata endpoint, an
 * internal service), and a name can resolve differently at connect time than when it was checked
 * (DNS rebinding). So the addresses DNS answers are filtered right before connecting, and only an
 * allowed one is used; an IP literal, which skips DNS, is checked at connect time too. A refused
 * connection fails with the code `ADDRESS_REFUSED`, which the download maps to
 * `SeedanceUnsafeUrlError`.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { DEFAULT_CONNECT_TIMEOUT_MS } from './http-defaults';

/** The `code` of the error a refused connection fails with. */
export const ADDRESS_REFUSED = 'ESEEDANCE_ADDRESS_REFUSED';

export interface GuardedAgentOptions {
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** Extra trusted CA certificates (PEM) for the file host, e.g. a corporate TLS proxy. Default: the system's. */
  ca?: string | Buffer;
}

class AddressRefusedError extends Error {
  readonly code = ADDRESS_REFUSED;
}

/**
 * An agent whose connections go only to addresses `isAllowed` accepts: DNS answers are filtered
 * before connecting (so DNS rebinding cannot reach a private address) and IP literals are checked
 * too. One connection: the agent serves one download and is destroyed with its body.
 */
export function guardedAgent(isAllowed: (ip: string) => boolean, options: GuardedAgentOptions): Agent {
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const allowed = addresses.filter((a) => isAllowed(a.address));
      const first = allowed[0];
      if (first === undefined) return callback(new AddressRefusedError('address refused'), '', 0);
      if (lookupOptions.all) return callback(null, allowed);
      return callback(null, first.address, first.family);
    });
  };
  const connectTimeout = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const connectAllowed = buildConnector({ timeout: connectTimeout, lookup, ...(options.ca ? { ca: options.ca } : {}) });
  const connect: buildConnector.connector = (connectOptions, callback) => {
    const host = connectOptions.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0 && !isAllowed(host)) {
      callback(new AddressRefusedError('address refused'), null);
      return;
    }
    connectAllowed(connectOptions, callback);
  };
  return new Agent({ connect, connections: 1 });
}
