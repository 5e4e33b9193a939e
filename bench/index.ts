/** `npm run bench`: prints the figures of each benchmark. */
import { benchCallbacks } from './callbacks';
import { benchDownload, downloadBenchOptionsFromEnv } from './download';
import { benchWorkflows } from './workflows';

async function main(): Promise<void> {
  await benchDownload(downloadBenchOptionsFromEnv());
  await benchWorkflows(Number(process.env.BENCH_WORKFLOWS ?? 50));
  await benchCallbacks(Number(process.env.BENCH_CALLBACK_VIDEOS ?? 20));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
