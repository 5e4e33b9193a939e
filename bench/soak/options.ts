/** The soak's settings: `--short` for CI, `--videos N` or `SOAK_VIDEOS`, `--seed N` or `SOAK_SEED`. */
export interface SoakOptions {
  videos: number;
  short: boolean;
  /** Seeds the plan and the chaos schedule, so a failing run can be repeated. */
  seed: number;
  /** A worker is killed every `killEveryMs[0]`..`killEveryMs[1]` ms. */
  killEveryMs: readonly [number, number];
  /** The Temporal server is killed and restarted this long after the last workflow started. */
  serverRestartAfterMs: number;
  /** How long after the last start every workflow must have closed. */
  deadlineMs: number;
}

export function parseSoakOptions(argv: readonly string[], env: NodeJS.ProcessEnv): SoakOptions {
  const short = argv.includes('--short');
  const videos = positive(flagValue(argv, '--videos') ?? env.SOAK_VIDEOS, short ? 40 : 300, 'videos');
  const seed = positive(flagValue(argv, '--seed') ?? env.SOAK_SEED, Date.now() % 1_000_000, 'seed');
  return {
    videos,
    short,
    seed,
    killEveryMs: [2_000, 6_000],
    serverRestartAfterMs: short ? 10_000 : 20_000,
    // A kill mid-check costs a 45 s start-to-close timeout, and a workflow can meet a few.
    deadlineMs: short ? 240_000 : 900_000,
  };
}

function flagValue(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

function positive(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`soak: ${what} must be a positive whole number, not ${value}`);
  return n;
}
