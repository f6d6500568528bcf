/**
 * The inventory cache's logic, against an in-process source (a pure unit: the source is the
 * only seam; the HTTP/F&O path is covered end to end in inventory-e2e.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  createInventoryService,
  summarise,
  type InventorySource,
  type OnHandRow,
} from '../../src/flows/inventory/inventory-service.js';
import { InventoryUnavailableError } from '../../src/flows/inventory/errors.js';
import { toProblem } from '../../src/http/error-handler.js';

const row = (itemNumber: string, site: string, warehouse: string, available: number): OnHandRow => ({
  itemNumber,
  site,
  warehouse,
  availableOnHand: available,
  reserved: 1,
  onOrder: 2,
  ordered: 3,
  totalAvailable: available + 1,
});

function fakeSource(overrides: Partial<InventorySource> = {}) {
  const calls: string[][] = [];
  const source: InventorySource = {
    fetchOnHand: async (_company, items) => {
      calls.push(items);
      await new Promise((r) => setTimeout(r, 20));
      return items
        .filter((i) => i !== 'NOSTOCK' && i !== 'GHOST')
        .flatMap((i) => [row(i, '1', '11', 10), row(i, '2', '21', 5)]);
    },
    fetchKnownItems: async (_c, items) => new Set(items.filter((i) => i !== 'GHOST')),
    fetchCompanies: async () => new Set(['usmf', 'usrt']),
    ...overrides,
  };
  return { source, calls };
}

describe('inventory service', () => {
  it('answers 50 concurrent reps with one F&O read', async () => {
    const { source, calls } = fakeSource();
    const svc = createInventoryService({ source, ttlMs: 30_000 });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => svc.get({ company: 'usmf', items: ['A0001', 'A0002'] })),
    );
    expect(calls).toEqual([['A0001', 'A0002']]);
    expect(results.every((r) => r.items.length === 2 && !r.stale)).toBe(true);
  });

  it('reads only the items it does not hold, and again after the TTL', async () => {
    let t = 1_000_000;
    const { source, calls } = fakeSource();
    const svc = createInventoryService({ source, ttlMs: 30_000, now: () => t });
    await svc.get({ company: 'usmf', items: ['A0001'] });
    await svc.get({ company: 'usmf', items: ['A0001', 'A0002'] });
    expect(calls).toEqual([['A0001'], ['A0002']]);
    t += 31_000;
    await svc.get({ company: 'usmf', items: ['A0001'] });
    expect(calls).toHaveLength(3);
  });

  it('serves the last known value marked stale when F&O fails, and refreshes later', async () => {
    let t = 1_000_000;
    let failing = false;
    const { source } = fakeSource();
    const inner = source.fetchOnHand;
    source.fetchOnHand = async (c, i) => {
      if (failing) throw Object.assign(new Error('throttled'), { retryAfterMs: 30_000 });
      return inner(c, i);
    };
    const svc = createInventoryService({ source, ttlMs: 30_000, now: () => t });
    const fresh = await svc.get({ company: 'usmf', items: ['A0001'] });
    t += 60_000;
    failing = true;
    const stale = await svc.get({ company: 'usmf', items: ['A0001'] });
    expect(stale.stale).toBe(true);
    expect(stale.asOf).toBe(fresh.asOf);
    expect(stale.items[0]!.totals.availableOnHand).toBe(15);
    failing = false;
    const again = await svc.get({ company: 'usmf', items: ['A0001'] });
    expect(again.stale).toBe(false);
    expect(Date.parse(again.asOf)).toBe(t);
  });

  it('does not keep a rep waiting on a slow F&O when it has an older value', async () => {
    let t = 1_000_000;
    const { source } = fakeSource();
    const svc = createInventoryService({ source, ttlMs: 30_000, refreshWaitMs: 50, now: () => t });
    await svc.get({ company: 'usmf', items: ['A0001'] });
    t += 60_000;
    source.fetchOnHand = () =>
      new Promise((resolve) => setTimeout(() => resolve([row('A0001', '1', '11', 99)]), 400));
    const started = performance.now();
    const res = await svc.get({ company: 'usmf', items: ['A0001'] });
    expect(performance.now() - started).toBeLessThan(300);
    expect(res.stale).toBe(true);
    await new Promise((r) => setTimeout(r, 450));
    const refreshed = await svc.get({ company: 'usmf', items: ['A0001'] });
    expect(refreshed.stale).toBe(false);
    expect(refreshed.items[0]!.totals.availableOnHand).toBe(99);
  });

  it('answers 503 D365_THROTTLED with Retry-After when nothing is cached and F&O throttles', async () => {
    const { source } = fakeSource({
      fetchOnHand: async () => {
        throw Object.assign(new Error('429'), { retryAfterMs: 12_300 });
      },
    });
    const svc = createInventoryService({ source, ttlMs: 30_000 });
    const err = await svc.get({ company: 'usmf', items: ['A0001'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InventoryUnavailableError);
    expect(toProblem(err)).toMatchObject({ status: 503, code: 'D365_THROTTLED', retryAfterS: 13 });
  });

  it('answers 503 D365_UNAVAILABLE when F&O is down and nothing is cached', async () => {
    const { source } = fakeSource({
      fetchOnHand: async () => {
        throw new Error('ECONNREFUSED');
      },
    });
    const svc = createInventoryService({ source, ttlMs: 30_000 });
    await expect(svc.get({ company: 'usmf', items: ['A0001'] })).rejects.toMatchObject({
      code: 'D365_UNAVAILABLE',
    });
  });

  it('refuses an unknown or unmapped company instead of falling back to a default', async () => {
    const { source, calls } = fakeSource();
    const svc = createInventoryService({ source, ttlMs: 30_000, allowedCompanies: ['usmf'] });
    for (const company of ['xxxx', 'usrt']) {
      const err = await svc.get({ company, items: ['A0001'] }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'UNKNOWN_COMPANY' });
      expect(toProblem(err)).toMatchObject({ status: 400, code: 'UNKNOWN_COMPANY' });
    }
    expect(calls).toEqual([]);
    expect((await svc.get({ company: 'USMF', items: ['A0001'] })).company).toBe('usmf');
  });

  it('lists unknown items apart from items that merely have no stock', async () => {
    const { source } = fakeSource();
    const svc = createInventoryService({ source, ttlMs: 30_000 });
    const res = await svc.get({ company: 'usmf', items: ['A0001', 'NOSTOCK', 'GHOST', 'a0001'] });
    expect(res.items.map((i) => i.itemNumber)).toEqual(['A0001', 'NOSTOCK']);
    expect(res.items[1]!.totals.availableOnHand).toBe(0);
    expect(res.unknownItems).toEqual(['GHOST']);
  });

  it('filters by site and warehouse', async () => {
    const { source } = fakeSource();
    const svc = createInventoryService({ source, ttlMs: 30_000 });
    const res = await svc.get({ company: 'usmf', items: ['A0001'], site: '2' });
    expect(res.items[0]!.locations).toEqual([
      expect.objectContaining({ site: '2', warehouse: '21', availableOnHand: 5 }),
    ]);
  });
});

describe('summarise', () => {
  it('adds decimal quantities exactly and groups product dimensions per warehouse', () => {
    const s = summarise('A', [
      row('A', '1', '11', 0.1),
      row('A', '1', '11', 0.2),
      row('A', '2', '21', 1.005),
    ]);
    expect(s.totals.availableOnHand).toBe(1.305);
    expect(s.locations).toHaveLength(2);
    expect(s.locations[0]!.availableOnHand).toBe(0.3);
  });
});
