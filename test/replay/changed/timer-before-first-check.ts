/**
 * Test-only, for the replay guard: the three workflows with one durable timer added before
 * anything else, under the same workflow type names. Any history the real code wrote must fail
 * to replay against this (a new timer without `patched()`).
 */
import { sleep } from '@temporalio/workflow';
import * as real from '../../../src/workflows';
import type {
  AwaitSeedanceVideoInput,
  GenerateSeedanceVideoInput,
  GenerateSeedanceVideosInput,
} from '../../../src/workflows';

export async function awaitSeedanceVideo(input: AwaitSeedanceVideoInput) {
  await sleep('1s');
  return real.awaitSeedanceVideo(input);
}

export async function generateSeedanceVideo(input: GenerateSeedanceVideoInput) {
  await sleep('1s');
  return real.generateSeedanceVideo(input);
}

export async function generateSeedanceVideos(input: GenerateSeedanceVideosInput) {
  await sleep('1s');
  return real.generateSeedanceVideos(input);
}
