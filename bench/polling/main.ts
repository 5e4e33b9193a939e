/** `npm run bench:polling`: BENCH_POLL_TASKS, BENCH_POLL_SEED, BENCH_POLL_STRATEGIES, BENCH_POLL_BATCH, BENCH_POLL_OUT (`-` writes nothing). */
import path from 'node:path';
import { benchPolling } from './index';

/** Measured: 20 tasks take about 4 min on this 2-core machine (shared), mostly the worker replaying fixed-10s runs. */
const DEFAULT_TASKS = 30;
const DEFAULT_SEED = 9;

async function main(): Promise<void> {
  const out = process.env.BENCH_POLL_OUT ?? path.resolve(__dirname, '../../docs/benchmarks');
  await benchPolling({
    tasks: Number(process.env.BENCH_POLL_TASKS ?? DEFAULT_TASKS),
    seed: Number(process.env.BENCH_POLL_SEED ?? DEFAULT_SEED),
    strategies: process.env.BENCH_POLL_STRATEGIES,
    batch: process.env.BENCH_POLL_BATCH ? Number(process.env.BENCH_POLL_BATCH) : undefined,
    outDir: out === '-' ? undefined : out,
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
