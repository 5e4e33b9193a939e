// An ES module importing the (CommonJS) package's entry points by name, as ESM users do.
import { createSeedanceWorker, seedanceWorkerOptions } from 'seedance-temporal';
import { workflowIdForTask } from 'seedance-temporal/contract';
import { createSimulator } from 'seedance-temporal/simulator';
import { seedanceTracingPlugin, startTracing } from 'seedance-temporal/tracing';
import { executeSeedanceVideo, generateSeedanceVideo } from 'seedance-temporal/workflows';

const imported = {
  createSeedanceWorker,
  seedanceWorkerOptions,
  workflowIdForTask,
  createSimulator,
  seedanceTracingPlugin,
  startTracing,
  executeSeedanceVideo,
  generateSeedanceVideo,
};
const missing = Object.entries(imported)
  .filter(([, value]) => typeof value !== 'function')
  .map(([name]) => name);
if (missing.length > 0) throw new Error(`not functions: ${missing.join(', ')}`);
console.log(workflowIdForTask('video_abc'));
