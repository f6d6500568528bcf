/**
 * The worker against a real SQLite file: handlers, retries, dead letters, validation, payload
 * size, a read-only store, graceful stop, metrics.
 */
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  JobValidationError,
  PayloadTooLargeError,
  PermanentJobError,
  StoreUnavailableError,
  TransientJobError,
} from '../../src/jobs/errors.js';
import { toProblem } from '../../src/http/error-handler.js';
import { createJobQueue, type JobQueue } from '../../src/jobs/queue.js';
import { openStore } from '../../src/jobs/store.js';
import type { Store } from '../../src/jobs/types.js';
import { tempDir, QUEUE_SETTINGS } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.remove());
let n = 0;
let store: Store;
let queue: JobQueue;
let now = Date.parse('2025-01-01T00:00:00Z');
const clock = () => now;

beforeEach(async () => {
  store = await openStore(`sqlite:${join(tmp.dir, `q${++n}.db`)}`);
  queue = createJobQueue({
    ...QUEUE_SETTINGS,
    store,
    clock,
    random: () => 0.5,
    backoff: { baseMs: 1000, capMs: 60_000 },
    maxAttempts: 3,
  });
});
afterEach(async () => {
  await queue.stop({ graceMs: 100 });
  await store.close();
});

const rec = (key: string, version = 'v1', payload: unknown = { name: 'Contoso' }) => ({
  flow: 'account',
  key,
  version,
  payload,
});

describe('handlers and outcomes', () => {
  it('runs a handler once and marks the job done', async () => {
    const seen: string[] = [];
    queue.registerHandler('account', async (job, ctx) => {
      expect(ctx.signal.aborted).toBe(false);
      seen.push(`${job.key}@${job.version}#${ctx.attempt}`);
    });
    const { job } = await queue.enqueue(rec('001'));
    expect(await queue.runDue()).toBe(1);
    expect(seen).toEqual(['001@v1#1']);
    expect((await store.getJob(job.id))?.state).toBe('done');
  });

  it('retries a transient error with backoff, honours retryAfterMs, then succeeds', async () => {
    let calls = 0;
    queue.registerHandler('account', async () => {
      calls++;
      if (calls === 1) throw new Error('ECONNRESET');
      if (calls === 2)
        throw new TransientJobError({ code: 'HTTP_429', message: 'throttled', retryAfterMs: 90_000 });
    });
    const { job } = await queue.enqueue(rec('001'));
    await queue.runDue();
    let j = await store.getJob(job.id);
    expect(j).toMatchObject({
      state: 'queued',
      runAt: now + 500,
      lastError: { code: 'HANDLER_ERROR', transient: true },
    });
    now += 500;
    await queue.runDue();
    j = await store.getJob(job.id);
    expect(j?.runAt).toBe(now + 90_000);
    now += 89_999;
    expect(await queue.runDue()).toBe(0);
    now += 1;
    await queue.runDue();
    expect((await store.getJob(job.id))?.state).toBe('done');
    expect(calls).toBe(3);
  });

  it('dead-letters a permanent error immediately with the full reason', async () => {
    queue.registerHandler('account', async () => {
      throw new PermanentJobError({
        code: 'D365_VALIDATION',
        message: 'Customer group is mandatory',
        details: { status: 400, target: 'CustomerGroupId' },
      });
    });
    const { job } = await queue.enqueue(rec('001'));
    await queue.runDue();
    const j = await store.getJob(job.id);
    expect(j?.state).toBe('dead');
    expect(j?.attempts).toBe(1);
    expect(j?.lastError).toMatchObject({
      code: 'D365_VALIDATION',
      message: 'Customer group is mandatory',
      details: { status: 400, target: 'CustomerGroupId' },
      transient: false,
    });
  });

  it('a handler that throws a non-Error is retried as transient, then dead after max attempts', async () => {
    queue.registerHandler('account', async () => {
      throw 'just a string';
    });
    const { job } = await queue.enqueue(rec('001'));
    for (let i = 0; i < 3; i++) {
      await queue.runDue();
      now += 120_000;
    }
    const j = await store.getJob(job.id);
    expect(j?.state).toBe('dead');
    expect(j?.attempts).toBe(3);
    expect(j?.lastError).toMatchObject({
      code: 'NON_ERROR_THROWN',
      message: expect.stringContaining('just a string'),
    });
  });

  it('graceful stop releases an in-flight job whose handler honours the signal', async () => {
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    queue.registerHandler('account', (_job, { signal }) => {
      started();
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    });
    const { job } = await queue.enqueue(rec('001'));
    queue.start();
    await running;
    await queue.stop({ graceMs: 50 });
    const j = await store.getJob(job.id);
    expect(j).toMatchObject({ state: 'queued', attempts: 0 });
    expect((await store.getAudit(job.id)).map((a) => a.action)).toEqual(['released']);
  });

  it('start() drains the queue in the background', async () => {
    const real = createJobQueue({ ...QUEUE_SETTINGS, store, pollMs: 10 });
    const done: string[] = [];
    real.registerHandler('account', async (job) => void done.push(job.key));
    await real.enqueueMany(Array.from({ length: 50 }, (_, i) => rec(`K${i}`)));
    real.start({ concurrency: 4 });
    const deadline = Date.now() + 5000;
    while (done.length < 50 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await real.stop();
    expect(done.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `K${i}`).sort());
  });
});

describe('capacity', () => {
  it('runs as many jobs at once as the capacity says, following it as it grows, under the bound', async () => {
    let capacity = 3;
    const real = createJobQueue({
      ...QUEUE_SETTINGS,
      store,
      pollMs: 10,
      concurrency: 10,
      capacity: () => capacity,
    });
    let running = 0;
    const peaks: number[] = [];
    real.registerHandler('account', async () => {
      running++;
      peaks.push(running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
    });
    await real.enqueueMany(Array.from({ length: 120 }, (_, i) => rec(`C${i}`)));
    real.start();
    const waitFor = async (n: number) => {
      const deadline = Date.now() + 5000;
      while (peaks.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    };
    await waitFor(30);
    expect(Math.max(...peaks)).toBe(3);
    capacity = 7; // F&O takes more: no setting changed
    await waitFor(70);
    expect(Math.max(...peaks.slice(40))).toBe(7);
    capacity = 50; // above the JOB_CONCURRENCY bound
    await waitFor(120);
    await real.stop();
    expect(Math.max(...peaks.slice(80))).toBe(10);
  });

  it('lets a job that released its capacity (F&O done, waiting on Salesforce) make room for the next, under the bound', async () => {
    const real = createJobQueue({ ...QUEUE_SETTINGS, store, pollMs: 10, concurrency: 6, capacity: () => 2 });
    let atFno = 0;
    let running = 0;
    const fnoPeaks: number[] = [];
    const runningPeaks: number[] = [];
    let done = 0;
    real.registerHandler('account', async (_job, ctx) => {
      running++;
      atFno++;
      fnoPeaks.push(atFno);
      runningPeaks.push(running);
      await new Promise((r) => setTimeout(r, 5)); // the F&O call
      atFno--;
      ctx.releaseCapacity();
      ctx.releaseCapacity(); // idempotent: counted once
      await new Promise((r) => setTimeout(r, 60)); // the batched write-back
      running--;
      done++;
    });
    await real.enqueueMany(Array.from({ length: 24 }, (_, i) => rec(`W${i}`)));
    real.start();
    const deadline = Date.now() + 5000;
    while (done < 24 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await real.stop();
    expect(done).toBe(24);
    expect(Math.max(...fnoPeaks)).toBe(2); // the capacity still bounds the F&O part
    expect(Math.max(...runningPeaks)).toBe(6); // released jobs wait beside others, up to JOB_CONCURRENCY
  });
});

describe('bad input', () => {
  const schema = z.object({ name: z.string().min(1), creditLimit: z.number().nonnegative().optional() });

  it('rejects a malformed payload with a clear error and enqueues nothing (whole batch)', async () => {
    queue.registerHandler('account', async () => {}, { payload: schema });
    const e = await queue
      .enqueueMany([rec('001'), rec('002', 'v1', { name: '', creditLimit: -5 })])
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(JobValidationError);
    expect((e as JobValidationError).message).toMatch(/account.*record 1/);
    expect((e as JobValidationError).issues.map((i) => i.path)).toEqual([
      'payload.name',
      'payload.creditLimit',
    ]);
    expect((await store.stats()).counts).toEqual([]);
  });

  it('rejects a bad envelope (flow, key, version)', async () => {
    await expect(
      queue.enqueue({ flow: 'Bad Flow', key: '', version: 'has space', payload: {} }),
    ).rejects.toMatchObject({
      code: 'JOB_VALIDATION',
      issues: expect.arrayContaining([
        expect.objectContaining({ path: 'flow' }),
        expect.objectContaining({ path: 'key' }),
      ]),
    });
    await expect(
      queue.enqueue({ flow: 'x', key: 'k', version: 'v', payload: undefined }),
    ).rejects.toBeInstanceOf(JobValidationError);
  });

  it('rejects a payload over JOB_MAX_PAYLOAD_BYTES', async () => {
    const small = createJobQueue({ ...QUEUE_SETTINGS, store, maxPayloadBytes: 2048 });
    const e = await small.enqueue(rec('001', 'v1', { blob: 'x'.repeat(3000) })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PayloadTooLargeError);
    expect(e).toMatchObject({ code: 'JOB_PAYLOAD_TOO_LARGE', limit: 2048 });
    expect(toProblem(e)).toMatchObject({ status: 413, code: 'JOB_PAYLOAD_TOO_LARGE' });
    expect((await store.stats()).counts).toEqual([]);
  });

  it('a read-only store: enqueue throws StoreUnavailableError and nothing accepted earlier is lost', async () => {
    const path = join(tmp.dir, 'ro.db');
    const rw = await openStore(`sqlite:${path}`);
    const accepted = await rw.enqueueMany(
      Array.from({ length: 20 }, (_, i) => rec(`K${i}`)),
      now,
    );
    await rw.close();
    const ro = await openStore(`sqlite:${path}`, { readOnly: true });
    const roQueue = createJobQueue({ ...QUEUE_SETTINGS, store: ro });
    const e = await roQueue.enqueue(rec('NEW')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StoreUnavailableError);
    expect(e).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(toProblem(e)).toMatchObject({ status: 503, code: 'STORE_UNAVAILABLE' });
    expect((e as Error).message).toMatch(/SQLITE_READONLY/);
    await ro.close();
    const again = await openStore(`sqlite:${path}`);
    for (const a of accepted) expect((await again.getJob(a.job.id))?.state).toBe('queued');
    expect((await again.stats()).counts).toEqual([{ flow: 'account', state: 'queued', count: 20 }]);
    await again.close();
  });

  it('a closed store is unavailable, not a crash', async () => {
    const s = await openStore(`sqlite:${join(tmp.dir, 'closed.db')}`);
    await s.close();
    await expect(s.enqueue(rec('x'), now)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(s.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe('metrics', () => {
  it('exposes depth, dead letters, oldest age, attempts and durations', async () => {
    const registry = new Registry();
    const q = createJobQueue({ ...QUEUE_SETTINGS, store, registry, clock });
    q.registerHandler('account', async (job) => {
      if (job.key === 'BAD') throw new PermanentJobError({ code: 'X', message: 'no' });
    });
    await q.enqueueMany([rec('OK'), rec('BAD')]);
    await q.runDue();
    await q.enqueue(rec('WAIT'));
    now += 5000;
    const text = await registry.metrics();
    expect(text).toMatch(/fobridge_jobs_depth\{flow="account",state="queued"\} 1/);
    expect(text).toMatch(/fobridge_jobs_dead_letters\{flow="account"\} 1/);
    expect(text).toMatch(/fobridge_jobs_oldest_queued_age_seconds\{flow="account"\} 5/);
    expect(text).toMatch(/fobridge_jobs_attempts_total\{flow="account",outcome="done"\} 1/);
    expect(text).toMatch(/fobridge_jobs_attempts_total\{flow="account",outcome="dead"\} 1/);
    expect(text).toMatch(/fobridge_jobs_handler_duration_seconds_count\{flow="account",outcome="done"\} 1/);
  });
});
