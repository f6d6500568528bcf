/** Schedule slots and named leases on both stores. */
import { expect, it } from 'vitest';
import { freshFlow, storeContract, T0 } from './contract.js';

storeContract('schedules', (store) => {
  it('scheduler: one caller per slot, never an older slot, across restarts', async () => {
    const s = `sched-${freshFlow()}`;
    expect(await store.getScheduleSlot(s)).toBeNull();
    const both = await Promise.all([store.claimScheduleSlot(s, T0, T0), store.claimScheduleSlot(s, T0, T0)]);
    expect(both.filter(Boolean)).toHaveLength(1);
    expect(await store.claimScheduleSlot(s, T0 - 60_000, T0)).toBe(false);
    expect(await store.claimScheduleSlot(s, T0 + 60_000, T0 + 60_000)).toBe(true); // a slot is never ahead of its now
    expect(await store.getScheduleSlot(s)).toBe(T0 + 60_000);
  });

  it('leases: one holder until it expires or is released', async () => {
    const n = `lease-${freshFlow()}`;
    expect(await store.acquireLease(n, 'a', 1000, T0)).toBe(true);
    expect(await store.acquireLease(n, 'b', 1000, T0 + 500)).toBe(false);
    expect(await store.acquireLease(n, 'a', 1000, T0 + 500)).toBe(true); // renew
    expect(await store.acquireLease(n, 'b', 1000, T0 + 1600)).toBe(true);
    await store.releaseLease(n, 'b');
    expect(await store.acquireLease(n, 'a', 1000, T0 + 1700)).toBe(true);
  });
});
