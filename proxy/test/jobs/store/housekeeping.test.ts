/** Readiness and the queue's counts on both stores (retention: in the jobs and dead-letter suites). */
import { expect, it } from 'vitest';
import { freshFlow, job, storeContract, T0 } from './contract.js';

storeContract('housekeeping', (store) => {
  it('ping answers and stats count by flow and state', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
    const flow = freshFlow();
    await store.enqueue(job(flow, 'A', 'v1'), T0);
    await store.enqueue(job(flow, 'B', 'v1'), T0 + 5);
    const s = await store.stats();
    expect(s.counts.find((c) => c.flow === flow && c.state === 'queued')?.count).toBe(2);
    expect(s.oldestQueued.find((o) => o.flow === flow)?.createdAt).toBe(T0);
  });
});
