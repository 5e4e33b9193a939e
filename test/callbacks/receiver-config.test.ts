import { describe, expect, it } from 'vitest';
import { deriveCallbackSecret } from '../../src/callbacks/callback-url';
import { loadCallbackReceiverConfig } from '../../src/callbacks/receiver-config';
import { ConfigError } from '../../src/config';
import { thrownBy } from '../helpers/assertions';

const SECRET = 'receiver-secret-SHOULD-NOT-LEAK-1234';
const API_KEY = 'sk-live-api-key-SHOULD-NOT-LEAK-5678';

function problemsOf(env: Record<string, string>): string {
  return thrownBy(() => loadCallbackReceiverConfig(env), ConfigError).message;
}

describe('loadCallbackReceiverConfig', () => {
  it('reads the listen address, path, secret and Temporal connection', () => {
    const config = loadCallbackReceiverConfig({
      SEEDANCE_CALLBACK_LISTEN: '0.0.0.0:8088',
      SEEDANCE_CALLBACK_SECRET: SECRET,
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'videos',
    });
    expect(config).toMatchObject({
      listen: { host: '0.0.0.0', port: 8088 },
      path: '/seedance/callback',
      secret: SECRET,
      temporal: { connection: { address: 'temporal.internal:7233' }, namespace: 'videos' },
    });
  });

  it('derives the secret from SEEDANCE_API_KEY as the workers do', () => {
    const config = loadCallbackReceiverConfig({
      SEEDANCE_CALLBACK_LISTEN: '[::]:9000',
      SEEDANCE_CALLBACK_PATH: '/hooks/seedance',
      SEEDANCE_API_KEY: API_KEY,
    });
    expect(config.secret).toBe(deriveCallbackSecret(API_KEY));
    expect(config.listen).toEqual({ host: '::', port: 9000 });
    expect(config.path).toBe('/hooks/seedance');
    expect(config.temporal.namespace).toBe('default');
  });

  it('names every missing variable at once', () => {
    const message = problemsOf({});
    expect(message).toContain('SEEDANCE_CALLBACK_LISTEN');
    expect(message).toContain('SEEDANCE_CALLBACK_SECRET (or SEEDANCE_API_KEY');
  });

  it('names a bad variable but never prints a value', () => {
    const message = problemsOf({
      SEEDANCE_CALLBACK_LISTEN: `${SECRET}:99999`,
      SEEDANCE_CALLBACK_SECRET: SECRET.slice(0, 8),
      SEEDANCE_CALLBACK_PATH: 'no-slash',
      SEEDANCE_API_KEY: API_KEY,
    });
    expect(message).toContain('SEEDANCE_CALLBACK_LISTEN has a port outside');
    expect(message).toContain('SEEDANCE_CALLBACK_SECRET must be at least 16 characters');
    expect(message).toContain('SEEDANCE_CALLBACK_PATH must be a URL path');
    expect(message).not.toContain(SECRET.slice(0, 8));
    expect(message).not.toContain(API_KEY);
  });
});
