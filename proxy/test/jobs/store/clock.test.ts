/**
 * PostgreSQL judges leases and due-ness by the database's clock: replicas whose own clocks differ
 * (here by ±5 min) never both hold one job, and a lease ends when it expires in database time.
 * (SQLite trusts the caller's clock: one file is one machine.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/jobs/store.js';
import type { Store } from '../../../src/jobs/types.js';
import { dropSchema, pgUrl, uniqueSchema } from '../helpers.js';

describe('postgres: leases on the database clock, whatever the replicas’ clocks say', () => {
  const clockSchema = uniqueSchema('jobs_clock');
  const FIVE_MIN = 5 * 60_000;
  const LEASE = 60_000;
  const flow = 'clock';
  /** Two replicas on one database: one's clock 5 min behind, the other's 5 min ahead. */
  const slowNow = () => Date.now() - FIVE_MIN;
  const fastNow = () => Date.now() + FIVE_MIN;
  let slow: Store;
  let fast: Store;
  beforeAll(async () => {
    slow = await openStore(pgUrl(clockSchema));
    fast = await openStore(pgUrl(clockSchema));
  });
  afterAll(async () => {
    await slow?.close();
    await fast?.close();
    await dropSchema(clockSchema);
  });
  const claim = (store: Store, now: number, leaseMs = LEASE) =>
    store.claim({ now, limit: 10, leaseMs, flows: [flow] });

  it('a lease taken by a slow-clock replica is not stolen by a fast-clock one, also after heartbeats', async () => {
    await slow.enqueue({ flow, key: 'K1', version: 'v1', payload: {} }, slowNow());
    const [mine] = await claim(slow, slowNow());
    expect(mine).toBeDefined();
    expect(await claim(fast, fastNow())).toHaveLength(0);
    expect(await slow.heartbeat(mine!.id, mine!.attempts, slowNow() + LEASE, slowNow())).toBe(true);
    expect(await claim(fast, fastNow())).toHaveLength(0);
    expect(await slow.complete(mine!.id, mine!.attempts, slowNow())).toBe(true);
  });

  it('a fast-clock replica’s lease ends when it expires in database time, and the other takes over fenced', async () => {
    await fast.enqueue({ flow, key: 'K2', version: 'v1', payload: {} }, fastNow());
    const [first] = await claim(fast, fastNow(), 400);
    expect(first).toBeDefined();
    expect(await claim(slow, slowNow(), 400)).toHaveLength(0); // never both hold it
    await new Promise((r) => setTimeout(r, 600));
    const [again] = await claim(slow, slowNow(), LEASE);
    expect(again?.id).toBe(first!.id);
    expect(again!.attempts).toBe(2);
    expect(await fast.complete(first!.id, first!.attempts, fastNow())).toBe(false);
    expect(await slow.complete(again!.id, again!.attempts, slowNow())).toBe(true);
  });

  it('a fast-clock replica cannot record a schedule slot ahead of the database; the right clock then fires', async () => {
    const minute = 60_000;
    const slot = (now: number) => Math.floor(now / minute) * minute;
    await slow.claimScheduleSlot('sweep', slot(Date.now()) - 10 * minute, Date.now()); // seen before
    expect(await fast.claimScheduleSlot('sweep', slot(fastNow()), fastNow())).toBe(false);
    expect(await slow.claimScheduleSlot('sweep', slot(Date.now()), Date.now())).toBe(true);
    expect(await slow.getScheduleSlot('sweep')).toBe(slot(Date.now()));
  });

  it('a retry’s backoff and a named lease count from the database’s now, not the caller’s', async () => {
    await slow.enqueue({ flow, key: 'K3', version: 'v1', payload: {} }, slowNow());
    const [j] = await claim(slow, slowNow());
    const now = slowNow();
    const error = { code: 'HTTP_503', message: 'busy', transient: true, attempt: 1, at: now };
    expect(await slow.fail({ id: j!.id, attempt: j!.attempts, now, error, retryAt: now + LEASE })).toBe(true);
    expect(await claim(fast, fastNow())).toHaveLength(0);

    expect(await slow.acquireLease('leader', 'slow', LEASE, slowNow())).toBe(true);
    expect(await fast.acquireLease('leader', 'fast', LEASE, fastNow())).toBe(false);
  });
});
