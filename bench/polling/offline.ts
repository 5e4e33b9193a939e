/**
 * The schedules without Temporal (`npm run bench:schedule`): each schedule function of the
 * package, run as the workflow runs it (a read at creation, then wait as the function says, read
 * again) on thousands of drawn completion times per model and distribution, against fixed polling
 * at the documented minimum and the oracle. Pure arithmetic: seconds of wall time for sample sizes
 * the Temporal benchmark (`npm run bench:polling`) would need hours for. It leaves out what only
 * the real runs have (activity latency, history events, actions), so it is the tool for shaping a
 * schedule, and `bench:polling` the measurement of the workflow as it runs.
 */
import { CompletionStats } from '../../src/activities/completion-stats';
import { SEEDANCE_MODELS, type SeedanceModel } from '../../src/seedance/models';
import { nextCheckDelayMs } from '../../src/seedance/schedule';
import { DISTRIBUTIONS, WIDE_DISTRIBUTIONS, drawCompletionsS, type DistributionName } from './distributions';
import { mean, oracleCallsAtLag, oracleFrontier, percentile } from './oracle';
import { SCHEDULES, type BenchScheduleInput, type ScheduleFunction } from './schedules';

export interface Outcome {
  calls: number;
  meanLagS: number;
  p95LagS: number;
}

/**
 * A task created at 0 that completes at `completionS`, followed by `schedule` as
 * generateSeedanceVideo follows the task it created (it knows the model and creation time, so it
 * waits before the first read): its calls and lag.
 */
export function follow(
  schedule: ScheduleFunction,
  completionS: number,
  task: { taskId: string; model: string; completions?: Record<string, number[]> },
): { calls: number; lagS: number } {
  let nowMs = 0;
  let calls = 0;
  const doneMs = completionS * 1000;
  while (nowMs < doneMs) {
    const input: BenchScheduleInput = {
      taskId: task.taskId,
      model: task.model,
      createdMs: 0,
      nowMs,
      checks: calls,
      ...(task.completions ? { completions: task.completions } : {}),
    };
    nowMs += schedule(input);
    calls += 1;
  }
  return { calls, lagS: (nowMs - doneMs) / 1000 };
}

export function followAll(
  schedule: ScheduleFunction,
  completionsS: number[],
  model: string,
  completions?: Record<string, number[]>,
): Outcome {
  const runs = completionsS.map((t, i) =>
    follow(schedule, t, { taskId: `task-${model}-${i}`, model, ...(completions ? { completions } : {}) }),
  );
  const lags = runs.map((r) => r.lagS);
  return { calls: mean(runs.map((r) => r.calls)), meanLagS: mean(lags), p95LagS: percentile(lags, 95) };
}

/** The quantiles `CompletionStats` hands out after seeing these completions (seconds). */
export function learnedQuantiles(model: SeedanceModel, completionsS: number[]): Record<string, number[]> {
  const stats = new CompletionStats({ capacity: completionsS.length, minSamples: 1 });
  completionsS.forEach((s, i) => stats.record({ taskId: `learned-${i}`, model }, Math.round(s * 1000)));
  return stats.quantiles();
}

export interface OfflineRow {
  model: SeedanceModel;
  distribution: DistributionName;
  fixedMin: Outcome;
  documented: Outcome;
  adaptive: Outcome;
  learned: Outcome;
  /** The oracle's calls at the learned schedule's lag (and at fixed-min's). */
  oracleAtLearnedLag: number;
  oracleAtFixedMinLag: number;
}

export function evaluate(options: { tasks: number; seed: number; oracleDraws?: number }): OfflineRow[] {
  const adaptive = SCHEDULES.adaptive;
  const rows: OfflineRow[] = [];
  SEEDANCE_MODELS.forEach((model, m) =>
    [...DISTRIBUTIONS, ...WIDE_DISTRIBUTIONS].forEach((distribution, d) => {
      const seed = (options.seed + 1_000 * m + 100 * d) >>> 0;
      const tasks = drawCompletionsS(model, distribution, options.tasks, seed);
      const learned = learnedQuantiles(model, drawCompletionsS(model, distribution, 500, seed ^ 0x2545f491));
      const law = drawCompletionsS(model, distribution, options.oracleDraws ?? 20_000, seed ^ 0x5bd1e995);
      const frontier = oracleFrontier(law, tasks);
      const fixedMin = followAll(SCHEDULES['fixed-min'], tasks, model);
      const learnedOutcome = followAll(adaptive, tasks, model, learned);
      rows.push({
        model,
        distribution,
        fixedMin,
        documented: followAll(nextCheckDelayMs, tasks, model),
        adaptive: followAll(adaptive, tasks, model),
        learned: learnedOutcome,
        oracleAtLearnedLag: oracleCallsAtLag(frontier, learnedOutcome.meanLagS),
        oracleAtFixedMinLag: oracleCallsAtLag(frontier, fixedMin.meanLagS),
      });
    }),
  );
  return rows;
}

export function renderOffline(rows: OfflineRow[]): string {
  const f = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '-');
  const cell = (o: Outcome) => `${f(o.calls)} / ${f(o.meanLagS, 1)}`;
  const lines = [
    '| model | distribution | fixed-min | documented | adaptive (cold) | adaptive (learned) | learned / fixed-min calls | learned lag <= fixed-min | oracle at fixed-min lag / fixed-min | learned / oracle at its lag |',
    '| --- | --- | --- | --- | --- | --- | ---: | --- | ---: | ---: |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.model.replace('seedance_1_5_pro_', '')} | ${r.distribution} | ${cell(r.fixedMin)} | ${cell(r.documented)} | ${cell(r.adaptive)} | ${cell(r.learned)} | ${f(r.learned.calls / r.fixedMin.calls)} | ${r.learned.meanLagS <= r.fixedMin.meanLagS ? 'yes' : 'no'} | ${f(r.oracleAtFixedMinLag / r.fixedMin.calls)} | ${f(r.learned.calls / r.oracleAtLearnedLag)} |`,
    );
  }
  return lines.join('\n');
}

if (require.main === module) {
  const tasks = Number(process.env.BENCH_SCHEDULE_TASKS ?? 2_000);
  const seed = Number(process.env.BENCH_POLL_SEED ?? 9);
  const started = Date.now();
  const rows = evaluate({ tasks, seed });
  console.log(`schedules offline: ${tasks} tasks per model x distribution, seed ${seed}; calls per video / mean lag s`);
  console.log(renderOffline(rows));
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
