import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCliSettings } from '../../src/cli/connection';
import { UsageError } from '../../src/cli/exit-codes';

let dir: string;
let configFile: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'seedance-cli-config-'));
  configFile = path.join(dir, 'temporal.toml');
  await fs.writeFile(
    configFile,
    [
      '[profile.default]',
      'address = "default.example:7233"',
      'namespace = "ns-default"',
      '',
      '[profile.cloud]',
      'address = "cloud.example:7233"',
      'namespace = "ns-cloud"',
      'api_key = "profile-SECRET-key"',
    ].join('\n'),
  );
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('the connection settings, as the temporal CLI reads them', () => {
  it('defaults to localhost:7233, namespace default, task queue seedance-video', () => {
    const settings = loadCliSettings({ TEMPORAL_CONFIG_FILE: path.join(dir, 'missing.toml') });
    expect(settings).toMatchObject({ address: 'localhost:7233', namespace: 'default', taskQueue: 'seedance-video' });
  });

  it('reads the profile TEMPORAL_PROFILE names from the config file, with TLS on for an API key', () => {
    const settings = loadCliSettings({ TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'cloud' });
    expect(settings).toMatchObject({ address: 'cloud.example:7233', namespace: 'ns-cloud' });
    expect(settings.connection).toMatchObject({ apiKey: 'profile-SECRET-key', tls: true });
  });

  it('lets the environment override the profile, and the flags override both', () => {
    const env = {
      TEMPORAL_CONFIG_FILE: configFile,
      TEMPORAL_ADDRESS: 'env.example:7233',
      TEMPORAL_NAMESPACE: 'ns-env',
      TEMPORAL_TASK_QUEUE: 'videos-env',
    };
    expect(loadCliSettings(env)).toMatchObject({
      address: 'env.example:7233',
      namespace: 'ns-env',
      taskQueue: 'videos-env',
    });
    expect(
      loadCliSettings(env, { address: 'flag.example:7233', profile: 'cloud', taskQueue: 'videos-flag' }),
    ).toMatchObject({
      address: 'flag.example:7233',
      namespace: 'ns-env',
      taskQueue: 'videos-flag',
    });
  });

  it('refuses an unknown profile as bad input', () => {
    expect(() => loadCliSettings({ TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'nope' })).toThrow(UsageError);
  });
});
