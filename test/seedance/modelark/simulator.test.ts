/**
 * The ModelArk provider end to end against the simulator's ModelArk mode: the same HTTP exchanges
 * a worker makes, against the look-alike of the real API instead of a hand-made server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelArkClient, ModelArkProvider } from '../../../src/seedance/modelark';
import type { ProviderTask } from '../../../src/seedance/provider';
import { createSimulator, type ModelArkSimulator } from '../../../src/simulator';

const API_KEY = 'sim-modelark-key-0123456789';

let sim: ModelArkSimulator;
let provider: ModelArkProvider;
let client: ModelArkClient;

beforeAll(async () => {
  sim = await createSimulator({
    provider: 'modelark',
    apiKey: API_KEY,
    profile: { default: { queuedMs: 200, renderMs: 300 }, seedance_1_5_pro_720p: { queuedMs: 200, renderMs: 300 } },
  });
  provider = new ModelArkProvider({ apiKey: API_KEY, baseUrl: sim.baseUrl });
  client = new ModelArkClient({ apiKey: API_KEY, baseUrl: sim.baseUrl });
});

afterAll(async () => {
  await provider.close();
  await client.close();
  await sim.close();
});

async function untilTerminal(taskId: string, timeoutMs = 10_000): Promise<ProviderTask> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await provider.getTask(taskId);
    if (task.status !== 'queued' && task.status !== 'processing') return task;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${task.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const deletes = (taskId: string) => sim.requests.filter((r) => r.method === 'DELETE' && r.taskId === taskId);

describe('ModelArkProvider against the simulator', () => {
  it('creates a task from a reseller model name, follows it to succeeded and finds it in the list', async () => {
    const created = await provider.createTask({
      model: 'seedance_1_5_pro_720p',
      content: [{ type: 'text', text: 'a red fox in snow' }],
      return_last_frame: true,
    });
    expect(created).toMatchObject({ status: 'queued', model: 'seedance-1-5-pro-251215', resolution: '720p' });
    const sent = sim.requests.find((r) => r.method === 'POST')?.modelarkCreateRequest;
    expect(sent).toMatchObject({ model: 'seedance-1-5-pro-251215', resolution: '720p', generate_audio: true });

    const done = await untilTerminal(created.id);
    expect(done.status).toBe('completed');
    expect(done.videoUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(done.lastFrameUrl).toBeTruthy();
    expect(done.resolution).toBe('720p');
    expect(done.usage?.totalTokens).toBeGreaterThan(0);
    expect(done.videoUrlExpiresAtMs).toBeGreaterThan(Date.now());
    expect(done.createdMs).toBeLessThanOrEqual(Date.now());

    const list = await client.listTasks({ taskIds: [created.id], status: 'succeeded' });
    expect(list.items.map((t) => t.id)).toEqual([created.id]);
    expect(list.total).toBe(1);
  });

  it('cancels a queued task with one DELETE', async () => {
    const queued = await sim.addTask({ timing: { queuedMs: 60_000, renderMs: 1_000 } });
    expect(await provider.cancelTask(queued.id)).toEqual({ cancelled: true, status: 'cancelled' });
    expect(deletes(queued.id)).toHaveLength(1);
    expect((await provider.getTask(queued.id)).status).toBe('cancelled');
  });

  it('sends no DELETE for a running or succeeded task, and keeps its record', async () => {
    const running = await sim.addTask({ timing: { queuedMs: 0, renderMs: 60_000 } });
    expect(await provider.cancelTask(running.id)).toEqual({ cancelled: false, status: 'processing' });
    const succeeded = await sim.addTask({ timing: { queuedMs: 0, renderMs: 0 } });
    expect(await provider.cancelTask(succeeded.id)).toEqual({ cancelled: false, status: 'completed' });
    expect(deletes(running.id)).toHaveLength(0);
    expect(deletes(succeeded.id)).toHaveLength(0);
    expect((await provider.getTask(succeeded.id)).videoUrl).toBeTruthy();
  });
});
