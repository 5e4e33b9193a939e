import { describe, expect, it } from 'vitest';
import { ConfigError, loadWorkerConfig, type WorkerConfig } from '../src/config';
import { thrownBy } from './helpers/assertions';

const FAKE_KEY = 'sk-FAKE-7f3a9c1e-DO-NOT-LEAK';

/**
 * An environment that cannot pick up a Temporal config file from this machine: envconfig reads
 * TEMPORAL_CONFIG_FILE, and a missing file is the same as none.
 */
function env(vars: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { TEMPORAL_CONFIG_FILE: '/nonexistent/seedance-test/temporal.toml', ...vars };
}

function configError(vars: Record<string, string | undefined>): ConfigError {
  return thrownBy(() => loadWorkerConfig(env(vars)), ConfigError);
}

describe('loadWorkerConfig', () => {
  it('uses the documented defaults when only the API key is set', () => {
    const config: WorkerConfig = loadWorkerConfig(env({ SEEDANCE_API_KEY: FAKE_KEY }));
    expect(config.seedance).toEqual({
      apiKey: FAKE_KEY,
      baseUrl: 'https://zcbservice.aizfw.cn/kyyReactApiServer',
      timeoutMs: 30_000,
    });
    expect(config.output).toBe('./videos');
    expect(config.temporal.taskQueue).toBe('seedance-video');
    expect(config.temporal.namespace).toBe('default');
    expect(config.download.allowPrivateUrls).toBe(false);
    expect(config.download.maxBytes).toBe(2 * 1024 ** 3);
    expect(config.shutdownGraceTimeMs).toBe(30_000);
    expect(config.prometheusAddress).toBeUndefined();
    expect(config.apiRequestsPerSecond).toBeUndefined();
    expect(config.workflowBundlePath).toBeUndefined();
  });

  it('reads every SEEDANCE_* variable it documents', () => {
    const config = loadWorkerConfig(
      env({
        SEEDANCE_API_KEY: FAKE_KEY,
        SEEDANCE_BASE_URL: 'https://seedance.example.com/api',
        SEEDANCE_OUTPUT: '/srv/videos',
        SEEDANCE_ALLOW_PRIVATE_URLS: 'true',
        SEEDANCE_REQUEST_TIMEOUT_MS: '5000',
        SEEDANCE_MAX_VIDEO_BYTES: '1048576',
        SEEDANCE_SHUTDOWN_GRACE_MS: '10000',
        SEEDANCE_PROMETHEUS_ADDRESS: '0.0.0.0:9464',
        TEMPORAL_TASK_QUEUE: 'videos-eu',
        SEEDANCE_API_RPS: '2.5',
        SEEDANCE_WORKFLOW_BUNDLE: '/srv/seedance/workflow-bundle.js',
      }),
    );
    expect(config.apiRequestsPerSecond).toBe(2.5);
    expect(config.workflowBundlePath).toBe('/srv/seedance/workflow-bundle.js');
    expect(config.seedance).toEqual({ apiKey: FAKE_KEY, baseUrl: 'https://seedance.example.com/api', timeoutMs: 5000 });
    expect(config.output).toBe('/srv/videos');
    expect(config.download.allowPrivateUrls).toBe(true);
    expect(config.download.maxBytes).toBe(1_048_576);
    expect(config.shutdownGraceTimeMs).toBe(10_000);
    expect(config.prometheusAddress).toBe('0.0.0.0:9464');
    expect(config.temporal.taskQueue).toBe('videos-eu');
  });

  it('refuses an API budget that is not a positive number', () => {
    for (const value of ['0', '-1', 'fast', '20000']) {
      expect(() => loadWorkerConfig(env({ SEEDANCE_API_KEY: FAKE_KEY, SEEDANCE_API_RPS: value }))).toThrow(
        /SEEDANCE_API_RPS/,
      );
    }
  });

  it('treats an empty variable as unset', () => {
    const config = loadWorkerConfig(env({ SEEDANCE_API_KEY: FAKE_KEY, SEEDANCE_OUTPUT: '', TEMPORAL_TASK_QUEUE: '' }));
    expect(config.output).toBe('./videos');
    expect(config.temporal.taskQueue).toBe('seedance-video');
  });

  it('refuses to start without an API key for the real (https) API, naming SEEDANCE_API_KEY', () => {
    const error = configError({});
    expect(error.message).toMatch(/SEEDANCE_API_KEY is required/);
    expect(error.problems).toHaveLength(1);
  });

  it.each(['http://127.0.0.1:8787', 'http://localhost:8787/api', 'http://[::1]:8787'])(
    'needs no API key for a local simulator at %s',
    (baseUrl) => {
      const config = loadWorkerConfig(env({ SEEDANCE_BASE_URL: baseUrl }));
      expect(config.seedance.baseUrl).toBe(baseUrl);
    },
  );

  it('refuses a plain-http base URL that is not loopback (the key would travel in clear text)', () => {
    const error = configError({ SEEDANCE_API_KEY: FAKE_KEY, SEEDANCE_BASE_URL: 'http://seedance.example.com/api' });
    expect(error.message).toMatch(/SEEDANCE_BASE_URL must be https/);
  });

  it.each([
    ['a host name that starts with "localhost"', 'http://localhost.example.com/api'],
    ['a host name that starts with "127."', 'http://127.example.com/api'],
    ['user info that looks like localhost', 'http://localhost@example.com/api'],
    ['user info that looks like 127.0.0.1', 'http://127.0.0.1:8787@example.com/api'],
  ])('does not take %s for loopback', (_, baseUrl) => {
    const error = configError({ SEEDANCE_API_KEY: FAKE_KEY, SEEDANCE_BASE_URL: baseUrl });
    expect(error.message).toMatch(/SEEDANCE_BASE_URL must be https/);
  });

  it.each(['not a url', 'ftp://example.com/api', 'file:///etc/passwd'])('refuses SEEDANCE_BASE_URL=%j', (baseUrl) => {
    expect(configError({ SEEDANCE_API_KEY: FAKE_KEY, SEEDANCE_BASE_URL: baseUrl }).message).toMatch(
      /SEEDANCE_BASE_URL/,
    );
  });

  it('refuses SEEDANCE_ALLOW_PRIVATE_URLS=maybe, naming the variable', () => {
    const error = configError({ SEEDANCE_API_KEY: FAKE_KEY, SEEDANCE_ALLOW_PRIVATE_URLS: 'maybe' });
    expect(error.message).toMatch(/SEEDANCE_ALLOW_PRIVATE_URLS must be true or false/);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('reads SEEDANCE_ALLOW_PRIVATE_URLS=%s as %s', (value, expected) => {
    expect(
      loadWorkerConfig(env({ SEEDANCE_API_KEY: FAKE_KEY, SEEDANCE_ALLOW_PRIVATE_URLS: value })).download
        .allowPrivateUrls,
    ).toBe(expected);
  });

  it.each([
    'localhost',
    '9464',
    'http://127.0.0.1:9464',
    '127.0.0.1:',
    '127.0.0.1:abc',
    'a b:9464',
    '127.0.0.1:123456',
  ])('refuses SEEDANCE_PROMETHEUS_ADDRESS=%j, naming the variable', (address) => {
    expect(configError({ SEEDANCE_API_KEY: FAKE_KEY, SEEDANCE_PROMETHEUS_ADDRESS: address }).message).toMatch(
      /SEEDANCE_PROMETHEUS_ADDRESS must be host:port/,
    );
  });

  it.each(['127.0.0.1:99999', '127.0.0.1:0', '127.0.0.1:65536'])(
    'refuses SEEDANCE_PROMETHEUS_ADDRESS=%j, a port outside 1-65535',
    (address) => {
      expect(configError({ SEEDANCE_API_KEY: FAKE_KEY, SEEDANCE_PROMETHEUS_ADDRESS: address }).message).toMatch(
        /SEEDANCE_PROMETHEUS_ADDRESS has a port outside 1-65535/,
      );
    },
  );

  it.each([
    ['SEEDANCE_REQUEST_TIMEOUT_MS', 'soon', /must be a number/],
    ['SEEDANCE_REQUEST_TIMEOUT_MS', '0', /must be positive/],
    ['SEEDANCE_MAX_VIDEO_BYTES', '1.5', /must be a whole number/],
    ['SEEDANCE_SHUTDOWN_GRACE_MS', '-1', /must be positive/],
  ])('refuses %s=%j', (name, value, problem) => {
    const error = configError({ SEEDANCE_API_KEY: FAKE_KEY, [name]: value });
    expect(error.message).toMatch(name);
    expect(error.message).toMatch(problem);
  });

  it('honours TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE (through @temporalio/envconfig)', () => {
    const config = loadWorkerConfig(
      env({ SEEDANCE_API_KEY: FAKE_KEY, TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_NAMESPACE: 'videos' }),
    );
    expect(config.temporal.connection.address).toBe('temporal.internal:7233');
    expect(config.temporal.namespace).toBe('videos');
  });

  it('lists every problem at once', () => {
    const error = configError({ SEEDANCE_ALLOW_PRIVATE_URLS: 'maybe', SEEDANCE_PROMETHEUS_ADDRESS: 'localhost' });
    expect(error.problems.length).toBeGreaterThanOrEqual(2);
    expect(error.message).toMatch(/SEEDANCE_ALLOW_PRIVATE_URLS/);
    expect(error.message).toMatch(/SEEDANCE_PROMETHEUS_ADDRESS/);
  });

  it.each([
    ['SEEDANCE_ALLOW_PRIVATE_URLS', 'maybe'],
    ['SEEDANCE_PROMETHEUS_ADDRESS', 'localhost'],
    ['SEEDANCE_BASE_URL', 'http://seedance.example.com'],
    ['SEEDANCE_BASE_URL', 'not a url'],
    ['SEEDANCE_REQUEST_TIMEOUT_MS', 'soon'],
    ['TEMPORAL_PROFILE', 'no-such-profile'],
  ])('never shows the API key in a ConfigError (with a bad %s)', (name, value) => {
    const error = configError({ SEEDANCE_API_KEY: FAKE_KEY, [name]: value });
    expect(error.message).not.toContain(FAKE_KEY);
    expect(error.message).not.toContain('FAKE-7f3a9c1e');
    expect(JSON.stringify(error.problems)).not.toContain(FAKE_KEY);
  });

  it('does not show a value put in the wrong variable either (it could be a secret)', () => {
    const error = configError({
      SEEDANCE_API_KEY: FAKE_KEY,
      SEEDANCE_REQUEST_TIMEOUT_MS: FAKE_KEY,
      SEEDANCE_ALLOW_PRIVATE_URLS: FAKE_KEY,
    });
    expect(error.message).not.toContain(FAKE_KEY);
  });

  it('reports every bad variable at once, the missing key included', () => {
    const message = configError({ SEEDANCE_ALLOW_PRIVATE_URLS: 'maybe', SEEDANCE_REQUEST_TIMEOUT_MS: 'soon' }).message;
    expect(message).toMatch(/SEEDANCE_ALLOW_PRIVATE_URLS/);
    expect(message).toMatch(/SEEDANCE_REQUEST_TIMEOUT_MS/);
    expect(message).toMatch(/SEEDANCE_API_KEY is required/);
  });

  describe('the provider', () => {
    it('is the reseller by default, with its base URL and no callbacks', () => {
      const config = loadWorkerConfig(env({ SEEDANCE_API_KEY: FAKE_KEY }));
      expect(config.provider).toBe('reseller');
      expect(config.callbacks).toBeUndefined();
    });

    it('is ModelArk with SEEDANCE_PROVIDER=modelark, at the ap-southeast /api/v3 base by default', () => {
      const config = loadWorkerConfig(env({ SEEDANCE_API_KEY: FAKE_KEY, SEEDANCE_PROVIDER: 'modelark' }));
      expect(config.provider).toBe('modelark');
      expect(config.seedance.baseUrl).toBe('https://ark.ap-southeast.bytepluses.com/api/v3');
    });

    it('takes the Volcengine base (or any https base) from SEEDANCE_BASE_URL', () => {
      const baseUrl = 'https://ark.cn-beijing.volces.com/api/v3';
      const config = loadWorkerConfig(
        env({ SEEDANCE_API_KEY: FAKE_KEY, SEEDANCE_PROVIDER: 'modelark', SEEDANCE_BASE_URL: baseUrl }),
      );
      expect(config.seedance.baseUrl).toBe(baseUrl);
    });

    it('refuses an unknown provider, naming the variable', () => {
      expect(configError({ SEEDANCE_API_KEY: FAKE_KEY, SEEDANCE_PROVIDER: 'openai' }).problems).toEqual([
        'SEEDANCE_PROVIDER must be reseller or modelark',
      ]);
    });
  });

  describe('callbacks', () => {
    const modelArk = { SEEDANCE_API_KEY: FAKE_KEY, SEEDANCE_PROVIDER: 'modelark' };

    it('sends the callback URL and receives on the listen address, signing with a key derived from the API key', () => {
      const config = loadWorkerConfig(
        env({
          ...modelArk,
          SEEDANCE_CALLBACK_URL: 'https://hooks.example.com/seedance/callback',
          SEEDANCE_CALLBACK_LISTEN: '0.0.0.0:8787',
        }),
      );
      expect(config.callbacks).toMatchObject({
        url: 'https://hooks.example.com/seedance/callback',
        listen: '0.0.0.0:8787',
      });
      expect(config.callbacks!.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(config.callbacks!.secret).not.toContain(FAKE_KEY);
    });

    it('signs with SEEDANCE_CALLBACK_SECRET when given', () => {
      const secret = 'a-long-enough-callback-secret';
      const config = loadWorkerConfig(
        env({ ...modelArk, SEEDANCE_CALLBACK_URL: 'https://hooks.example.com/cb', SEEDANCE_CALLBACK_SECRET: secret }),
      );
      expect(config.callbacks!.secret).toBe(secret);
    });

    it('refuses callbacks with the reseller, a plain-http public callback URL and a short secret', () => {
      expect(
        configError({ SEEDANCE_API_KEY: FAKE_KEY, SEEDANCE_CALLBACK_URL: 'https://h.example.com/cb' }).problems,
      ).toEqual(['SEEDANCE_CALLBACK_URL needs SEEDANCE_PROVIDER=modelark (the reseller API documents no callbacks)']);
      expect(configError({ ...modelArk, SEEDANCE_CALLBACK_URL: 'http://hooks.example.com/cb' }).problems).toEqual([
        'SEEDANCE_CALLBACK_URL must be https (http only on 127.0.0.1/localhost, for a local simulator)',
      ]);
      const short = configError({ ...modelArk, SEEDANCE_CALLBACK_SECRET: 'short-value' });
      expect(short.problems).toEqual(['SEEDANCE_CALLBACK_SECRET must be at least 16 characters']);
      expect(short.message).not.toContain('short-value');
    });

    it('accepts an http callback URL on loopback (the simulator calls it)', () => {
      const config = loadWorkerConfig(
        env({ ...modelArk, SEEDANCE_CALLBACK_URL: 'http://127.0.0.1:8787/seedance/callback' }),
      );
      expect(config.callbacks!.url).toBe('http://127.0.0.1:8787/seedance/callback');
    });
  });
});
