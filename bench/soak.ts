/**
 * `npm run soak`: the chaos soak. A few hundred videos (`--videos N` or `SOAK_VIDEOS`, default 300;
 * `--short`: 40, for CI) on the simulator's fast timings, three worker processes (each in its own
 * working and temporary directory) storing to S3 (SeaweedFS). Every 2-6 s a random worker is
 * killed with -9 and restarted; once, the Temporal server is killed with -9 and restarted on its
 * SQLite file. The mix covers every end: stored, failed at the provider, cancelled by signal.
 *
 * Then it checks, and exits non-zero if any check fails: no workflow left running; each ended as
 * planned; every stored video is exactly one object under the prefix with the right sha256, and
 * nothing else is (no partial object); one create per generate workflow; no multipart upload left
 * open. It prints its figures (`docs/benchmarks.md` keeps them with this command).
 */
import os from 'node:os';
import { Chaos } from './soak/chaos';
import { createsByRequest } from './soak/creates';
import { formatFigures } from './soak/figures';
import { parseSoakOptions } from './soak/options';
import { readOutcome, type VideoOutcome } from './soak/outcomes';
import { planVideos } from './soak/plan';
import { Random } from './soak/random';
import { BUCKET, PREFIX, startSoakStack, type SoakStack } from './soak/stack';
import { verifySoak } from './soak/verify';
import { startWorkload } from './soak/workload';

const POLL_MS = 2_000;

async function main(): Promise<boolean> {
  const options = parseSoakOptions(process.argv.slice(2), process.env);
  const random = new Random(options.seed);
  const runId = options.seed.toString(36);
  const plan = planVideos(options.videos, runId, random);
  const loadBefore = os.loadavg();
  console.log(
    `soak: ${plan.length} videos, seed ${options.seed}${options.short ? ' (short)' : ''}; starting the stack`,
  );
  const stack = await startSoakStack(plan);
  try {
    const chaos = new Chaos(stack.fleet, stack.server, random, options.killEveryMs);
    const firstStart = Date.now();
    const workload = await startWorkload(stack.client, stack.sim, plan);
    console.log(
      `soak: ${plan.length} workflows started in ${((Date.now() - firstStart) / 1000).toFixed(1)} s; chaos on`,
    );
    chaos.restartServerIn(options.serverRestartAfterMs);
    const closedAll = await waitUntilClosed(stack, Date.now() + options.deadlineMs);
    await chaos.stop();
    await workload.cancels;
    const outcomes: VideoOutcome[] = [];
    for (const video of plan) outcomes.push(await readOutcome(stack.client, video));
    const lastClose = Math.max(...outcomes.map((o) => o.closedAt?.getTime() ?? 0));
    const checks = await verifySoak({
      outcomes,
      sim: stack.sim,
      s3: stack.bucket.client,
      bucket: BUCKET,
      prefix: PREFIX,
      client: stack.client,
      workerLogLines: (text) => stack.fleet.logLinesWith(text),
    });
    for (const line of formatFigures({
      outcomes,
      chaos: chaos.figures,
      fleet: stack.fleet.figures,
      cancelsDelivered: workload.cancelsDelivered(),
      creates: createsByRequest(stack.sim),
      wallMs: (closedAll ? lastClose : Date.now()) - firstStart,
      loadBefore,
    })) {
      console.log(`soak: ${line}`);
    }
    for (const exit of stack.fleet.figures.unexpectedExits) {
      console.log(`soak: ${exit.worker} exited by itself (code ${exit.code}):\n${exit.logTail}`);
    }
    for (const check of checks) {
      console.log(`soak: ${check.problems.length === 0 ? 'ok  ' : 'FAIL'} ${check.name}`);
      for (const problem of check.problems.slice(0, 20)) console.log(`        ${problem}`);
      if (check.problems.length > 20) console.log(`        ... and ${check.problems.length - 20} more`);
    }
    return checks.every((check) => check.problems.length === 0);
  } finally {
    await stack.close();
  }
}

/** Polls until no workflow is running (false at the deadline); a server restart only delays the answer. */
async function waitUntilClosed(stack: SoakStack, deadline: number): Promise<boolean> {
  const since = Date.now();
  let lastReport = 0;
  while (Date.now() < deadline) {
    try {
      const { count } = await stack.client.workflow.count('ExecutionStatus="Running"');
      if (count === 0) return true;
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        const elapsed = ((Date.now() - since) / 1000).toFixed(0);
        console.log(`soak: +${elapsed} s: ${count} running, ${stack.fleet.readyCount()} workers ready`);
      }
    } catch {
      // the server is restarting
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return false;
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
