import { describe, expect, it } from 'vitest';
import { createProvider } from '../../src/seedance/create-provider';

describe('createProvider', () => {
  it('builds the provider a name stands for, with its capabilities', () => {
    const reseller = createProvider({ provider: 'reseller', apiKey: 'k' });
    expect(reseller.name).toBe('reseller');
    expect(reseller.capabilities).toMatchObject({ cancel: false, callbacks: false });
    const modelArk = createProvider({ provider: 'modelark', apiKey: 'k' });
    expect(modelArk.capabilities).toMatchObject({ cancel: true, callbacks: false });
    const withCallbacks = createProvider({
      provider: 'modelark',
      apiKey: 'k',
      callback: { url: 'https://hooks.example.com/cb', secret: 'a-secret-of-sixteen' },
    });
    expect(withCallbacks.capabilities.callbacks).toBe(true);
  });

  it('refuses callbacks for the reseller, which documents none', () => {
    expect(() =>
      createProvider({ provider: 'reseller', apiKey: 'k', callback: { url: 'https://h.example.com', secret: 's' } }),
    ).toThrow(/documents no callbacks/);
  });
});
