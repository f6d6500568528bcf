/**
 * Flow 5 end to end over real HTTP: the proxy (built from config, as in production) reads the
 * F&O emulator through the token cache, the governor and the OData client.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../src/app.js';
import { createMetrics } from '../../src/metrics.js';
import { createRuntime } from '../../src/runtime.js';
import { startD365Emulator, type D365Emulator } from '../../../test/emulators/d365/index.js';
import { testConfig } from '../http/helpers.js';
import { inventoryResponseSchema } from '../../src/http/routes/inventory.js';
import { contractFixture as fixture, jsonShape as shape } from '../../../test/support/contract-fixtures.js';

const KEY = 'dev-key-0123456789abcdef';
let emu: D365Emulator;
let app: FastifyInstance;

async function startProxy(overrides: Record<string, string> = {}): Promise<FastifyInstance> {
  const config = testConfig({
    INBOUND_API_KEYS: KEY,
    D365_URL: emu.url,
    D365_TENANT_ID: emu.tenantId,
    D365_CLIENT_ID: emu.clientId,
    D365_CLIENT_SECRET: emu.clientSecret,
    ...overrides,
  });
  const logger = pino({ level: 'silent' });
  const registry = createMetrics({ defaultMetrics: false });
  const runtime = await createRuntime(config, {
    logger,
    registry,
    // MSAL wants an https authority; keep Microsoft's and post tokens to the emulator (MSAL's authorityMetadata).
    d365Overrides: {
      authorityMetadataOverride: { tokenEndpoint: `${emu.url}/${emu.tenantId}/oauth2/v2.0/token` },
    },
  });
  return buildApp({ config, logger, registry, parts: runtime.parts });
}

const get = (a: FastifyInstance, qs: string) =>
  a.inject({ url: `/v1/inventory?${qs}`, headers: { authorization: `Bearer ${KEY}` } });

/** The emulator's own numbers for an item, summed the way a rep expects to read them. */
function expectedAvailable(item: string, company = 'usmf'): number {
  return emu.control
    .rows('WarehousesOnHandV2', { company })
    .filter((r) => r.ItemNumber === item)
    .reduce((sum, r) => sum + Number(r.AvailableOnHandQuantity), 0);
}

beforeAll(async () => {
  emu = await startD365Emulator({ httpsPort: false, latency: { readMs: 5, writeMs: 5, jitter: 0 } });
});
afterAll(async () => {
  await app?.close();
  await emu?.close();
});
beforeEach(async () => {
  await app?.close();
  emu.control.setThrottling({ mode: 'off' });
  emu.control.clearFaults();
  emu.control.resetCounters();
});

describe('GET /v1/inventory against the F&O emulator', () => {
  it('returns per-warehouse and total quantities that match F&O', async () => {
    app = await startProxy();
    const items = [
      ...new Set(
        emu.control.rows('WarehousesOnHandV2', { company: 'usmf' }).map((r) => String(r.ItemNumber)),
      ),
    ].slice(0, 3);
    const res = await get(app, `company=usmf&items=${items.join(',')},NO-SUCH-ITEM`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    // The route stringifies without the zod serializer's parse: the answer must still be the schema's.
    expect(inventoryResponseSchema.safeParse(body).error).toBeUndefined();
    expect(body).toMatchObject({ company: 'usmf', stale: false, unknownItems: ['NO-SUCH-ITEM'] });
    expect(body.items.map((i: { itemNumber: string }) => i.itemNumber)).toEqual(items);
    for (const item of body.items) {
      expect(item.totals.availableOnHand).toBeCloseTo(expectedAvailable(item.itemNumber), 6);
      expect(item.locations.length).toBeGreaterThan(0);
    }
  });

  it('answers in exactly the shape of the contract fixtures the Apex tests mock with', async () => {
    app = await startProxy();
    const items = [
      ...new Set(
        emu.control.rows('WarehousesOnHandV2', { company: 'usmf' }).map((r) => String(r.ItemNumber)),
      ),
    ].slice(0, 2);
    const ok = (await get(app, `company=usmf&items=${items.join(',')},Z9999`)).json();
    expect(shape(ok).sort()).toEqual(shape(fixture('BridgeContract_InventoryResponse')).sort());
    const unknown = await get(app, 'company=zzzz&items=A');
    const expected = fixture('BridgeContract_InventoryUnknownCompany');
    expect(unknown.statusCode).toBe(expected.status);
    expect(unknown.json().code).toBe(expected.code);
    expect(Object.keys(unknown.json()).sort()).toEqual(Object.keys(expected).sort());
  });

  it('answers 50 concurrent reps with one F&O read', async () => {
    app = await startProxy();
    const item = String(emu.control.rows('WarehousesOnHandV2', { company: 'usmf' })[0]!.ItemNumber);
    await get(app, `company=usmf&items=${item}`); // warm the company list and the token
    emu.control.resetCounters();
    const other = String(
      emu.control.rows('WarehousesOnHandV2', { company: 'usmf' }).find((r) => r.ItemNumber !== item)!
        .ItemNumber,
    );
    const all = await Promise.all(Array.from({ length: 50 }, () => get(app, `company=usmf&items=${other}`)));
    expect(all.every((r) => r.statusCode === 200)).toBe(true);
    expect(emu.control.counters().requests.byEntity.WarehousesOnHandV2).toBe(1);
  });

  it('serves the last known value marked stale while F&O throttles', async () => {
    app = await startProxy({ INVENTORY_TTL_S: '0', INVENTORY_REFRESH_WAIT_MS: '300' });
    const item = String(emu.control.rows('WarehousesOnHandV2', { company: 'usmf' })[0]!.ItemNumber);
    const fresh = (await get(app, `company=usmf&items=${item}`)).json();
    emu.control.faults({ fail5xx: { count: 1000, status: 429, retryAfterS: 30 } });
    const res = await get(app, `company=usmf&items=${item}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ stale: true, asOf: fresh.asOf });
    expect(res.json().items[0].totals).toEqual(fresh.items[0].totals);
    expect(emu.control.counters().throttled429).toBeGreaterThan(0);
  });

  it('answers 503 D365_THROTTLED with Retry-After when nothing is cached', async () => {
    app = await startProxy();
    await get(app, `company=usmf&items=WARMUP`); // company list cached
    emu.control.faults({ fail5xx: { count: 1000, status: 429, retryAfterS: 30 } });
    const res = await get(
      app,
      `company=usmf&items=${String(emu.control.rows('WarehousesOnHandV2', { company: 'usmf' })[0]!.ItemNumber)}`,
    );
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const expected = fixture('BridgeContract_InventoryThrottled');
    expect(res.statusCode).toBe(expected.status);
    expect(res.json()).toMatchObject({ code: expected.code });
    for (const key of Object.keys(expected)) expect(res.json()).toHaveProperty(key);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  }, 20_000);

  it('refuses an unknown company with 400 and reads nothing for it', async () => {
    app = await startProxy();
    const res = await get(app, 'company=zzzz&items=A');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'UNKNOWN_COMPANY' });
    expect(emu.control.counters().requests.byEntity.WarehousesOnHandV2 ?? 0).toBe(0);
  });

  it('validates the query: items required, at most 200, company shape', async () => {
    app = await startProxy();
    expect((await get(app, 'company=usmf')).json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    const many = Array.from({ length: 201 }, (_, i) => `I${i}`).join(',');
    const tooMany = (await get(app, `company=usmf&items=${many}`)).json();
    expect(tooMany.errors[0].path).toBe('querystring.items');
    expect((await get(app, "company=us'mf&items=A")).json().errors[0].path).toBe('querystring.company');
  });

  it('reads items with apostrophes and non-ASCII without breaking the filter', async () => {
    app = await startProxy();
    const res = await get(app, `company=usmf&items=${encodeURIComponent("O'BRIEN-1,ZÜRICH-2")}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().unknownItems).toEqual(["O'BRIEN-1", 'ZÜRICH-2']);
  });
});
