/**
 * Group handlers against a real SQLite file and a real PostgreSQL: a flow's due jobs are claimed and run together,
 * and every job still ends on its own (done, retry, dead letter), fenced by its attempt.
 * Group commit: requests enqueued together share one transaction, each with its own outcome.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PermanentJobError, TransientJobError } from '../../src/jobs/errors.js';
import { createGroupCommit } from '../../src/jobs/group-commit.js';
import { createJobQueue, type GroupOutcome, type JobQueue } from '../../src/jobs/queue.js';
import { openStore } from '../../src/jobs/store.js';
import type { Job, Store } from '../../src/jobs/types.js';
import { dropSchema, pgUrl, tempDir, uniqueSchema, QUEUE_SETTINGS } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.remove());
let n = 0;
let store: Store;
let queue: JobQueue;
let now = Date.parse('2025-01-01T00:00:00Z');
const clock = () => now;
let schema: string | undefined;

// The group claim is the stores' own `claim` (a flow filter and a limit): both adapters.
const STORES = {
  SQLite: () => openStore(`sqlite:${join(tmp.dir, `g${++n}.db`)}`),
  PostgreSQL: () => openStore(pgUrl((schema = uniqueSchema('jobs_groups')))),
};

async function open(kind: keyof typeof STORES): Promise<void> {
  store = await STORES[kind]();
  queue = createJobQueue({
    ...QUEUE_SETTINGS,
    store,
    clock,
    random: () => 0.5,
    backoff: { baseMs: 1000, capMs: 60_000 },
    maxAttempts: 3,
  });
}
afterEach(async () => {
  await queue.stop({ graceMs: 100 });
  await store.close();
  if (schema) await dropSchema(schema);
  schema = undefined;
});

const rec = (key: string, version = 'v1') => ({ flow: 'invoice', key, version, payload: { key } });
const ok: GroupOutcome = { ok: true };

describe.each(['SQLite', 'PostgreSQL'] as const)('group handlers on %s', (kind) => {
  beforeEach(() => open(kind));
  // PostgreSQL judges due-ness by the database's clock (jobs/types.ts): there time must pass.
  const later = async (ms: number) => {
    now += ms;
    if (kind === 'PostgreSQL') await new Promise((r) => setTimeout(r, ms));
  };

  it('hands the due jobs over as one group; one failing job retries or dead-letters alone', async () => {
    const groups: string[][] = [];
    queue.registerGroupHandler(
      'invoice',
      async (jobs: readonly Job[]) => {
        groups.push(jobs.map((j) => j.key).sort());
        return new Map(
          jobs.map((j): [string, GroupOutcome] => {
            if (j.key === 'late')
              return [
                j.id,
                { ok: false, error: new TransientJobError({ code: 'NOT_YET', message: 'not yet' }) },
              ];
            if (j.key === 'bad')
              return [j.id, { ok: false, error: new PermanentJobError({ code: 'REFUSED', message: 'no' }) }];
            return [j.id, ok];
          }),
        );
      },
      { maxJobs: 200, everyMs: 50 },
    );
    const ids = Object.fromEntries(
      (await queue.enqueueMany(['a', 'b', 'late', 'bad'].map((k) => rec(k)))).map((r) => [
        r.job.key,
        r.job.id,
      ]),
    );
    expect(await queue.runDue()).toBe(4);
    expect(groups).toEqual([['a', 'b', 'bad', 'late']]);
    expect((await store.getJob(ids.a!))?.state).toBe('done');
    expect((await store.getJob(ids.b!))?.state).toBe('done');
    expect(await store.getJob(ids.late!)).toMatchObject({ state: 'queued', lastError: { code: 'NOT_YET' } });
    expect(await store.getJob(ids.bad!)).toMatchObject({ state: 'dead', lastError: { code: 'REFUSED' } });
    // The retry comes back in a group of its own.
    await later(1_000); // the first retry is due after 500 ms (backoff 1 s × jitter 0.5)
    expect(await queue.runDue()).toBe(1);
    expect(groups.at(-1)).toEqual(['late']);
  });

  it('fails every job of a group that throws, and a job the answer leaves out, as transient', async () => {
    let calls = 0;
    queue.registerGroupHandler(
      'invoice',
      async (jobs: readonly Job[]) => {
        if (++calls === 1) throw new Error('ECONNRESET');
        return new Map(jobs.filter((j) => j.key !== 'forgotten').map((j) => [j.id, ok]));
      },
      { maxJobs: 200, everyMs: 50 },
    );
    const [a, f] = await queue.enqueueMany([rec('a'), rec('forgotten')]);
    await queue.runDue();
    expect(await store.getJob(a!.job.id)).toMatchObject({
      state: 'queued',
      lastError: { code: 'HANDLER_ERROR' },
    });
    await later(1_000); // the first retry is due after 500 ms (backoff 1 s × jitter 0.5)
    await queue.runDue();
    expect((await store.getJob(a!.job.id))?.state).toBe('done');
    expect(await store.getJob(f!.job.id)).toMatchObject({
      state: 'queued',
      lastError: { code: 'NO_GROUP_RESULT', transient: true },
    });
  });

  it('runs each key once per group at its newest version; a newer one waits for the running one', async () => {
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    queue.registerGroupHandler(
      'invoice',
      async (jobs: readonly Job[]) => {
        seen.push(jobs.map((j) => `${j.key}@${j.version}`).join(','));
        started();
        if (seen.length === 1) await gate;
        return new Map(jobs.map((j) => [j.id, ok]));
      },
      { maxJobs: 200, everyMs: 20 },
    );
    // v1 of A is replaced by v2 before any claim; v1 of B is stale behind v2.
    const r = await queue.enqueueMany([rec('A', 'v1'), rec('A', 'v2'), rec('B', 'v2'), rec('B', 'v1')]);
    expect(r.map((x) => x.outcome)).toEqual(['enqueued', 'superseded-older', 'enqueued', 'stale']);
    const first = queue.runDue();
    await running;
    // While A@v2 runs, A@v3 arrives: it waits, and is not handed to a second group meanwhile.
    expect((await queue.enqueue(rec('A', 'v3'))).outcome).toBe('queued-behind');
    expect(await queue.runDue()).toBe(0);
    release();
    await first;
    await queue.runDue();
    expect(seen).toEqual(['A@v2,B@v2', 'A@v3']);
  });

  const started = async (everyMs: number, maxJobs: number) => {
    const real = createJobQueue({ ...QUEUE_SETTINGS, store, pollMs: 10 });
    const sizes: number[] = [];
    real.registerGroupHandler(
      'invoice',
      async (jobs: readonly Job[]) => {
        sizes.push(jobs.length);
        return new Map(jobs.map((j) => [j.id, ok]));
      },
      { maxJobs, everyMs, maxGroups: 1 },
    );
    const until = async (total: number) => {
      const deadline = Date.now() + 5000;
      while (sizes.reduce((a, b) => a + b, 0) < total && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 5));
    };
    return { real, sizes, until };
  };

  it('claims again at once after a full claim (more are waiting), not after the interval', async () => {
    const { real, sizes, until } = await started(60_000, 10);
    await real.enqueueMany(Array.from({ length: 25 }, (_, i) => rec(`K${i}`)));
    real.start();
    await until(25);
    await real.stop();
    expect(sizes).toEqual([10, 10, 5]);
  });

  it('gathers the jobs that arrive one by one between two claims into one group', async () => {
    const { real, sizes, until } = await started(400, 200);
    real.start();
    await new Promise((r) => setTimeout(r, 50)); // the first claim found nothing
    for (let i = 0; i < 5; i++) {
      await real.enqueue(rec(`L${i}`));
      await new Promise((r) => setTimeout(r, 10));
    }
    await until(5);
    await real.stop();
    expect(sizes).toEqual([5]);
  });
});

describe('group commit', () => {
  beforeEach(() => open('SQLite'));

  it('writes records enqueued together in one transaction, each with its own outcome', async () => {
    queue.registerHandler('invoice', async () => {}, { payload: z.object({ key: z.string().min(2) }) });
    const batches: number[] = [];
    const counted = {
      enqueue: queue.enqueue.bind(queue),
      enqueueMany: async <P>(
        inputs: readonly { flow: string; key: string; version: string; payload: P }[],
      ) => {
        batches.push(inputs.length);
        return queue.enqueueMany(inputs);
      },
    };
    const commits = createGroupCommit(counted);
    const results = await Promise.allSettled([
      commits.enqueue(rec('AA', 'v1')),
      commits.enqueue(rec('AA', 'v1')),
      commits.enqueue(rec('B')), // refused by the schema: fails alone
      commits.enqueue(rec('CC')),
    ]);
    expect(batches).toEqual([4]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.outcome : 'rejected'))).toEqual([
      'enqueued',
      'duplicate',
      'rejected',
      'enqueued',
    ]);
    expect((await store.stats()).counts).toEqual([{ flow: 'invoice', state: 'queued', count: 2 }]);
  });
});
