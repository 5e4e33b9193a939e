/**
 * The soak's invariants, checked after the chaos against S3 (plain reads), the simulator's log of
 * creates, and Temporal. Each check lists what broke it; the soak fails if any list is not empty.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import type { Simulator } from '../../src/simulator';
import { listOpenUploads } from '../../src/storage/s3/s3-operations';
import type { VideoOutcome } from './outcomes';
import { EXPECTED_END, isGenerate } from './plan';
import { createsByRequest } from './creates';

export interface Check {
  name: string;
  problems: string[];
}

/** The end a generate workflow may reach instead of its planned one: a create lost with its worker is never retried. */
export const CREATE_OUTCOME_UNKNOWN = 'SeedanceCreateOutcomeUnknown';

export interface VerifyInput {
  outcomes: readonly VideoOutcome[];
  sim: Simulator;
  s3: S3Client;
  bucket: string;
  prefix: string;
  client: Client;
  /** Worker log lines that mention a text, to explain a leftover. */
  workerLogLines(text: string): string[];
}

export async function verifySoak(input: VerifyInput): Promise<Check[]> {
  return [
    await noWorkflowOpen(input),
    endedAsPlanned(input),
    await storedOnceWithRightSha256(input),
    oneCreatePerGenerate(input),
    await noOpenUpload(input),
  ];
}

export function endOf(outcome: VideoOutcome): string {
  if (outcome.status === 'COMPLETED') return 'completed';
  if (outcome.status === 'FAILED') return outcome.failureType ?? 'failed';
  return outcome.status.toLowerCase();
}

async function noWorkflowOpen({ outcomes, client }: VerifyInput): Promise<Check> {
  const problems = outcomes
    .filter((o) => o.status === 'RUNNING')
    .map((o) => `${o.video.workflowId} still running; pending: ${o.pending?.join('; ') || 'none'}`);
  const planned = new Set(outcomes.map((o) => o.video.workflowId));
  for await (const open of client.workflow.list({ query: 'ExecutionStatus="Running"' })) {
    if (!planned.has(open.workflowId)) problems.push(`${open.workflowId} (${open.type}) still running`);
  }
  return { name: 'no workflow still running after the deadline', problems };
}

function endedAsPlanned({ outcomes }: VerifyInput): Check {
  const problems: string[] = [];
  for (const outcome of outcomes) {
    const end = endOf(outcome);
    const expected = EXPECTED_END[outcome.video.kind];
    if (end === expected || (isGenerate(outcome.video.kind) && end === CREATE_OUTCOME_UNKNOWN)) continue;
    if (outcome.status === 'RUNNING') continue; // reported by the running check
    const message = outcome.failureMessage ? `: ${outcome.failureMessage}` : '';
    problems.push(`${outcome.video.workflowId} ended ${end}, expected ${expected}${message}`);
  }
  return { name: 'every workflow ended as planned (stored, failed at the provider, or cancelled)', problems };
}

async function storedOnceWithRightSha256({ outcomes, sim, s3, bucket, prefix }: VerifyInput): Promise<Check> {
  const problems: string[] = [];
  const keys = new Set(await listKeys(s3, bucket, prefix));
  const stored = outcomes.filter((o) => o.status === 'COMPLETED');
  const expectedKeys = new Set(stored.map((o) => `${prefix}${o.video.fileName}`));
  for (const key of keys) {
    if (!expectedKeys.has(key)) problems.push(`object ${key} belongs to no stored video (partial or stray)`);
  }
  for (const outcome of stored) {
    const key = `${prefix}${outcome.video.fileName}`;
    const video = outcome.result?.video;
    const where = outcome.video.workflowId;
    if (video?.uri !== `s3://${bucket}/${key}`)
      problems.push(`${where}: result uri ${video?.uri}, not s3://${bucket}/${key}`);
    if (video?.sha256 !== sim.videoSha256) problems.push(`${where}: result sha256 ${video?.sha256} is not the video's`);
    if (video?.bytes !== sim.video.length) problems.push(`${where}: result says ${video?.bytes} bytes`);
    if (!keys.has(key)) {
      problems.push(`${where}: no object at ${key}`);
      continue;
    }
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = Buffer.from(await object.Body!.transformToByteArray());
    const sha256 = createHash('sha256').update(body).digest('hex');
    if (sha256 !== sim.videoSha256)
      problems.push(`${where}: object ${key} has sha256 ${sha256} (${body.length} bytes)`);
    if (object.Metadata?.sha256 !== sha256)
      problems.push(`${where}: object ${key} has sha256 metadata ${object.Metadata?.sha256}`);
  }
  return { name: 'every stored video is one object under the prefix with the right sha256, nothing else is', problems };
}

function oneCreatePerGenerate({ outcomes, sim }: VerifyInput): Check {
  const problems: string[] = [];
  const creates = createsByRequest(sim);
  const planned = new Set(outcomes.map((o) => o.video.requestKey));
  for (const [key, count] of creates) {
    if (!planned.has(key)) problems.push(`${count} create(s) of an unplanned request ${JSON.stringify(key)}`);
  }
  for (const outcome of outcomes) {
    const count = creates.get(outcome.video.requestKey) ?? 0;
    const where = outcome.video.workflowId;
    if (!isGenerate(outcome.video.kind)) {
      if (count > 0) problems.push(`${where}: ${count} create(s) for a workflow that follows an existing task`);
      continue;
    }
    // A create that never ran (cancelled before it, or lost with its worker) pays nothing: 0 is fine there.
    const mayBeZero = outcome.video.kind === 'generate-cancelled' || endOf(outcome) === CREATE_OUTCOME_UNKNOWN;
    if (count > 1 || (count === 0 && !mayBeZero)) problems.push(`${where}: ${count} creates`);
  }
  return { name: 'exactly one create per generate workflow (none twice)', problems };
}

async function noOpenUpload({ outcomes, s3, bucket, prefix, workerLogLines }: VerifyInput): Promise<Check> {
  const problems: string[] = [];
  const byKey = new Map(outcomes.map((o) => [`${prefix}${o.video.fileName}`, o]));
  for await (const upload of listOpenUploads(s3, bucket, prefix)) {
    const owner = byKey.get(upload.Key ?? '');
    const closed = owner?.closedAt ? `, closed ${owner.closedAt.toISOString()}` : '';
    const attempts = owner?.activities.downloadVideo?.attempts ?? 0;
    problems.push(
      `open multipart upload of ${upload.Key} (${upload.UploadId}, initiated ${upload.Initiated?.toISOString()}); ` +
        `${owner?.video.workflowId} ended ${owner ? endOf(owner) : '?'}${closed}, ${attempts} download attempts` +
        (owner
          ? workerLogLines(owner.video.workflowId)
              .map((line) => `\n          ${line}`)
              .join('')
          : ''),
    );
  }
  return { name: 'no multipart upload left open', problems };
}

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}
