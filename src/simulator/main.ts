/**
 * Standalone simulator: `npm run simulator [-- --provider modelark]`. Env: SIMULATOR_PORT (8787),
 * SIMULATOR_HOST (127.0.0.1), SIMULATOR_API_KEY (sim-key), SIMULATOR_PROFILE (fast | realtime),
 * SIMULATOR_PROVIDER (reseller | modelark; `--provider` wins), SIMULATOR_STATE_FILE (persist tasks
 * across restarts), SIMULATOR_LOG=1 (one line per request, and per callback in ModelArk mode).
 */
import { parseArgs } from 'node:util';
import type { ModelArkSimulator } from './modelark/types';
import { isProfileName } from './profiles';
import { createSimulator } from './simulator';
import type { Simulator } from './types';

async function main(): Promise<void> {
  const env = process.env;
  const { values } = parseArgs({ options: { provider: { type: 'string' } }, strict: true });
  const port = Number(env.SIMULATOR_PORT ?? '8787');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`SIMULATOR_PORT ${env.SIMULATOR_PORT} is not a port`);
  const profile = env.SIMULATOR_PROFILE ?? 'fast';
  if (!isProfileName(profile)) throw new Error(`SIMULATOR_PROFILE must be fast or realtime, not ${profile}`);
  const provider = values.provider ?? env.SIMULATOR_PROVIDER ?? 'reseller';
  if (provider !== 'reseller' && provider !== 'modelark') {
    throw new Error(`--provider must be reseller or modelark, not ${provider}`);
  }

  const common = {
    host: env.SIMULATOR_HOST ?? '127.0.0.1',
    port,
    apiKey: env.SIMULATOR_API_KEY ?? 'sim-key',
    profile,
    ...(env.SIMULATOR_STATE_FILE ? { stateFile: env.SIMULATOR_STATE_FILE } : {}),
  };
  const simulator: Simulator | ModelArkSimulator =
    provider === 'modelark'
      ? await createSimulator({ ...common, provider: 'modelark' })
      : await createSimulator(common);
  if (env.SIMULATOR_LOG === '1') {
    simulator.onRequest = (e) =>
      console.log(`${e.method} ${e.path} ${e.status} ${e.bytesServed}B${e.fault ? ` fault=${e.fault}` : ''}`);
    if (simulator.provider === 'modelark') {
      simulator.onCallback = (c) =>
        console.log(
          `callback ${c.taskId} ${c.status} #${c.attempt} -> ${c.httpStatus ?? c.error ?? '?'}${c.acknowledged ? ' ack' : ''}`,
        );
    }
  }
  console.log(`simulator listening on ${simulator.url}`);
  if (simulator.provider === 'modelark') console.log(`ModelArk API base URL: ${simulator.baseUrl}`);

  const stop = (): void => {
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`simulator: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});
