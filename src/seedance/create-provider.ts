/** The provider a name stands for (`SEEDANCE_PROVIDER`), built from the client options it shares. */
import { SeedanceClient } from './client';
import type { HttpClientOptions } from './json-http';
import { ModelArkProvider } from './modelark/provider';
import type { ProviderName, VideoTaskProvider } from './provider';
import { ResellerProvider } from './reseller-provider';

export interface ProviderOptions extends HttpClientOptions {
  provider: ProviderName;
  /** ModelArk only: creates send this callback URL, with the workflow id signed by `secret`. */
  callback?: { url: string; secret: string } | undefined;
}

/** `baseUrl` defaults to the provider's own (the reseller's, or ModelArk's ap-southeast `/api/v3`). */
export function createProvider(options: ProviderOptions): VideoTaskProvider {
  const { provider, callback, ...client } = options;
  if (provider === 'modelark') return new ModelArkProvider({ ...client, ...(callback ? { callback } : {}) });
  if (callback) throw new TypeError('createProvider: the reseller API documents no callbacks');
  return new ResellerProvider(new SeedanceClient(client));
}
