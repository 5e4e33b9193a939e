/**
 * Hostile input, by property: a task id is one safe token. Whatever string reaches the workflow
 * input or the client, it is either refused before any request, or it lands in the request path as
 * exactly `<base path>/v1/result/<id>`, never anywhere else. The oracle is the raw request line a
 * real HTTP server receives.
 *
 * On either provider's client (test/helpers/provider.ts): ModelArk's path is
 * `<base path>/contents/generations/tasks/<id>`. The agreement of pattern, schema and workflow input
 * involves no client and runs on the reseller only.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeedanceClient } from '../../src/seedance/client';
import { ModelArkClient } from '../../src/seedance/modelark/client';
import { SeedanceInvalidRequestError } from '../../src/seedance/errors';
import { TASK_ID_PATTERN, taskIdSchema } from '../../src/seedance/schemas';
import { workflowIdForTask } from '../../src/contract/names';
import { parseAwaitInput } from '../../src/workflows/input';
import { itProviderNeutral, onModelArk } from '../helpers/provider';

const BASE_PATH = '/kyyReactApiServer';
/** Where the provider's client reads a task: `<BASE_PATH><TASK_PATH><id>`. */
const TASK_PATH = onModelArk ? '/contents/generations/tasks/' : '/v1/result/';

/** Raw request targets (`req.url`) in arrival order. */
const received: string[] = [];
let server: http.Server;
let client: Pick<SeedanceClient | ModelArkClient, 'close'> & { getTask(id: string): Promise<{ id: string }> };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    received.push(req.url ?? '');
    // Answer with the task the path names, so the client's own id check is exercised too.
    const last = (req.url ?? '').split('?')[0]!.split('/').pop() ?? '';
    const body = JSON.stringify(
      onModelArk
        ? { id: safeDecode(last), model: 'seedance-1-5-pro-251215', status: 'queued', created_at: 1_700_000_000 }
        : {
            id: safeDecode(last),
            object: 'video',
            created: 1_700_000_000,
            model: 'seedance_1_5_pro_720p',
            status: 'queued',
          },
    );
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const options = { apiKey: 'sk-property-test', baseUrl: `http://127.0.0.1:${port}${BASE_PATH}`, timeoutMs: 5_000 };
  client = onModelArk ? new ModelArkClient(options) : new SeedanceClient(options);
});

afterAll(async () => {
  await client?.close();
  await new Promise((resolve) => server?.close(resolve));
});

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Characters that could break out of a path segment, or look like they could. */
const HOSTILE_UNITS = [
  '/',
  '\\',
  '.',
  '..',
  '%',
  '%2f',
  '%2e',
  '%00',
  '?',
  '#',
  '&',
  '=',
  '+',
  ';',
  ':',
  '@',
  ' ',
  '\t',
  '\n',
  '\r',
  '\0',
  '\u2215',
  '\uff0f',
  '\u202e',
  '\u200b',
  'é',
  'ß',
  'İ',
  '\u{1F600}',
  'a',
  'Z',
  '0',
  '9',
  '_',
  '-',
  'video_',
];

const hostileString = fc.oneof(
  fc.string({ unit: fc.constantFrom(...HOSTILE_UNITS), maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 140 }),
  fc.string({ unit: fc.constantFrom('a', 'b', '0', '_', '-'), minLength: 120, maxLength: 135 }),
  fc
    .tuple(validId(), fc.constantFrom('/../', '/', '?x=1', '#f', '%2F..%2F', '\n', ' ', '.mp4'), validId())
    .map(([a, sep, b]) => a + sep + b),
);

/** Ids the API really issues look like `video_<hex>`; any token of the documented alphabet is allowed. */
function validId(): fc.Arbitrary<string> {
  return fc.oneof(fc.stringMatching(/^video_[0-9a-f]{24}$/), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/));
}

async function getOutcome(id: string): Promise<{ refused: boolean; requests: string[] }> {
  const before = received.length;
  try {
    const task = await client.getTask(id);
    expect(task.id).toBe(id);
    return { refused: false, requests: received.slice(before) };
  } catch (error) {
    if (error instanceof SeedanceInvalidRequestError) return { refused: true, requests: received.slice(before) };
    throw error;
  }
}

function workflowAccepts(taskId: string): boolean {
  try {
    parseAwaitInput({ taskId });
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).type).toBe('SeedanceInvalidInput');
    return false;
  }
}

describe('task id validation (fast-check)', () => {
  itProviderNeutral('the pattern, the zod schema and the workflow input agree on every string', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString, validId()), (s) => {
        const accepted = TASK_ID_PATTERN.test(s);
        expect(taskIdSchema.safeParse(s).success).toBe(accepted);
        expect(workflowAccepts(s)).toBe(accepted);
      }),
      { numRuns: 2_000 },
    );
  });

  it(`an accepted id is requested at exactly <base>${TASK_PATH}<id>, unencoded, with nothing after it`, async () => {
    await fc.assert(
      fc.asyncProperty(validId(), async (id) => {
        const { refused, requests } = await getOutcome(id);
        expect(refused).toBe(false);
        expect(requests).toEqual([`${BASE_PATH}${TASK_PATH}${id}`]);
        expect(encodeURIComponent(id)).toBe(id);
        expect(workflowIdForTask(id)).toBe(`seedance-${id}`);
      }),
      { numRuns: 200 },
    );
  });

  it(`any other string is refused before a request is sent; none ever leaves ${TASK_PATH}`, async () => {
    let refusedCount = 0;
    await fc.assert(
      fc.asyncProperty(hostileString, async (s) => {
        const { refused, requests } = await getOutcome(s);
        expect(refused).toBe(!TASK_ID_PATTERN.test(s));
        if (refused) {
          refusedCount++;
          expect(requests).toEqual([]);
          return;
        }
        expect(requests).toHaveLength(1);
        const target = new URL(requests[0]!, 'http://x');
        expect(target.search).toBe('');
        expect(target.pathname).toBe(`${BASE_PATH}${TASK_PATH}${s}`);
        expect(target.pathname.slice(`${BASE_PATH}${TASK_PATH}`.length)).not.toMatch(/[/\\%.?#]/);
      }),
      { numRuns: 500 },
    );
    expect(refusedCount).toBeGreaterThan(100); // the generator does reach the refusals
  });

  it('holds at the edges: 128 characters, leading "-" or "_", dots, and encoded separators', async () => {
    const cases: Array<[string, boolean]> = [
      ['a'.repeat(128), true],
      ['a'.repeat(129), false],
      ['-video', false],
      ['_video', false],
      ['video.mp4', false],
      ['..', false],
      ['video%2F..', false],
      ['video_abc\n', false],
      ['', false],
      ['V1deo-_9', true],
    ];
    for (const [id, ok] of cases) {
      const { refused, requests } = await getOutcome(id);
      expect(refused, JSON.stringify(id)).toBe(!ok);
      expect(requests).toEqual(ok ? [`${BASE_PATH}${TASK_PATH}${id}`] : []);
    }
  });
});
