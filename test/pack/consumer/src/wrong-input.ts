/**
 * Deliberately wrong: test/pack/pack-install.test.ts type-checks this file and expects exactly the
 * errors marked `// expect TS<code>`, one per entry point, so a package whose types resolve to
 * `any` (or do not resolve) fails the test.
 */
import { DEFAULT_TASK_QUEUE, seedanceWorkerOptions } from 'seedance-temporal';
import type { GenerateSeedanceVideoInput } from 'seedance-temporal/contract';
import { startTracing } from 'seedance-temporal/tracing';
import { executeSeedanceVideo } from 'seedance-temporal/workflows';

export const input: GenerateSeedanceVideoInput = {
  request: { model: 'seedance_1_5_pro_480p', content: 'a red fox' }, // expect TS2322
};

export const child = () => executeSeedanceVideo({ taskId: 42 }); // expect TS2322

export const options = () => seedanceWorkerOptions({ storage: '/var/videos', taskQueue: DEFAULT_TASK_QUEUE }); // expect TS2322

export const traces = () => startTracing({ exporter: 'zipkin', serviceName: 'videos' }); // expect TS2322
