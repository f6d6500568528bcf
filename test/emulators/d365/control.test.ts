import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { D365Emulator } from './index.js';
import { startD365Emulator } from './index.js';
import { odataClient, startTestEmulator } from './test-helpers.js';

let emu: D365Emulator;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(async () => emu.close());

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${emu.url}/_emulator${path}`, {
    method,
    ...(body !== undefined
      ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
      : {}),
  });
  return { status: res.status, json: (await res.json()) as any };
}

describe('control API over HTTP', () => {
  it('describes the emulator and the demo seed (deterministic)', async () => {
    const info = await call('GET', '');
    expect(info.json).toMatchObject({
      url: emu.url,
      tenantId: 'bridge-tenant',
      defaultCompany: 'usmf',
      timeScale: 0.01,
    });
    expect(emu.seedSummary).toMatchObject({ companies: ['usmf', 'usrt'] });
    expect(emu.seedSummary.customers).toBeGreaterThanOrEqual(20);
    expect(emu.seedSummary.products).toBeGreaterThanOrEqual(50);
    expect(emu.seedSummary.invoices).toBeGreaterThan(0);
    expect(emu.seedSummary.openTransactions).toBeGreaterThan(0);
    const onHand = emu.control.rows('WarehousesOnHandV2', { company: 'usmf' });
    expect(new Set(onHand.map((r) => r.InventorySiteId)).size).toBe(3);
    expect(new Set(onHand.map((r) => r.InventoryWarehouseId)).size).toBe(5);
    const other = await startD365Emulator({ httpsPort: false, timeScale: 0.01 });
    try {
      expect(other.control.rows('CustomersV3')).toEqual(emu.control.rows('CustomersV3'));
    } finally {
      await other.close();
    }
  });

  it('lists, reads, upserts and deletes rows of any entity', async () => {
    const rows = await call('GET', '/rows/CustomersV3?company=usrt');
    expect(rows.json.value.every((r: { dataAreaId: string }) => r.dataAreaId === 'usrt')).toBe(true);
    const put = await call('PUT', '/rows/CustomersV3', {
      rows: [
        {
          CustomerAccount: 'CTL-1',
          OrganizationName: 'Control',
          CustomerGroupId: '10',
          SalesCurrencyCode: 'USD',
        },
      ],
    });
    expect(put.json.value[0]).toMatchObject({ dataAreaId: 'usmf', CustomerAccount: 'CTL-1', CreditLimit: 0 });
    const got = await call('POST', '/rows/CustomersV3/get', { key: { CustomerAccount: 'CTL-1' } });
    expect(got.json.OrganizationName).toBe('Control');
    expect((await call('PUT', '/rows/CustomersV3', { Nope: 1 })).status).toBe(400);
    expect((await call('GET', '/rows/NoSuchThing')).status).toBe(404);
    expect(
      (await call('POST', '/rows/CustomersV3/delete', { key: { CustomerAccount: 'CTL-1' } })).json,
    ).toEqual({ deleted: true });
    expect((await call('POST', '/rows/CustomersV3/get', { key: { CustomerAccount: 'CTL-1' } })).status).toBe(
      404,
    );
  });

  it('setOnHand changes what WarehousesOnHandV2 returns', async () => {
    const row = await call('POST', '/on-hand', {
      itemNumber: 'D0001',
      siteId: '2',
      warehouseId: '22',
      onHand: 40,
      reserved: 5,
      ordered: 10,
      onOrder: 3,
    });
    expect(row.json).toMatchObject({
      OnHandQuantity: 40,
      AvailableOnHandQuantity: 35,
      TotalAvailableQuantity: 42,
    });
    const od = await odataClient(emu);
    const res = await od.get(
      "WarehousesOnHandV2?$filter=ItemNumber eq 'D0001' and InventoryWarehouseId eq '22'&$select=ItemNumber,AvailableOnHandQuantity",
    );
    expect(res.json.value).toEqual([
      expect.objectContaining({ ItemNumber: 'D0001', AvailableOnHandQuantity: 35 }),
    ]);
  });

  it('posts invoices and payments, counts requests and resets', async () => {
    const invoice = await call('POST', '/invoices', {
      customerAccount: 'US-010',
      lines: [{ itemNumber: 'D0001', quantity: 2, price: 10 }],
      dueDays: 14,
    });
    expect(invoice.json).toMatchObject({ amount: 20, customerAccount: 'US-010' });
    expect(invoice.json.invoiceNumber).toMatch(/^CIV-\d{6}$/);
    const pay = await call('POST', '/payments', {
      customerAccount: 'US-010',
      amount: 5,
      invoiceNumber: invoice.json.invoiceNumber,
    });
    expect(pay.json.settled).toEqual([
      { invoiceNumber: invoice.json.invoiceNumber, amount: 5, fullySettled: false },
    ]);
    const open = emu.control
      .rows('CustTransOpens', { company: 'usmf' })
      .filter((o) => o.AccountNum === 'US-010' && o.AmountCur === 15);
    expect(open).toHaveLength(1);
    expect((await call('POST', '/invoices', { customerAccount: 'NOPE', lines: [] })).status).toBe(400);

    const od = await odataClient(emu);
    await od.get('CustomersV3?$top=1');
    await od.get('NoSuchSet');
    const counters = (await call('GET', '/counters')).json;
    expect(counters.requests.byEntity.CustomersV3).toBeGreaterThanOrEqual(1);
    expect(counters.requests.byStatus['404']).toBeGreaterThanOrEqual(1);
    expect(counters.tokensIssued).toBeGreaterThanOrEqual(1);
    await call('POST', '/counters/reset');
    expect(emu.control.counters().requests.total).toBe(0);

    await call('PUT', '/throttling', { mode: 'resource' });
    expect(emu.control.info().throttling.mode).toBe('resource');
    await call('PUT', '/latency', { readMs: 1 });
    expect(emu.control.info().latency.readMs).toBe(1);
    const reset = await call('POST', '/reset', { seed: 'empty' });
    expect(reset.json).toMatchObject({ customers: 0, companies: ['usmf', 'usrt'] });
    expect(emu.control.rows('CustomerGroups').length).toBe(10);
    emu.control.reset();
    emu.control.setThrottling({ mode: 'off' });
  });

  it('generates large sets on request', () => {
    const summary = emu.control.seed({ customers: 300, products: 100, salesOrders: 50, invoices: 20 });
    expect(summary.customers).toBe(32 + 300);
    expect(summary.products).toBe(80 + 100);
    emu.control.reset();
  });
});

describe('standalone main.ts', () => {
  it('starts, prints the connection details and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/emulators/d365/main.ts',
        '--port',
        '0',
        '--https-port',
        '0',
        '--time-scale',
        '0.01',
      ],
      {
        cwd: new URL('../../..', import.meta.url).pathname,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no banner: ${out}`)), 25_000);
      child.stdout.on('data', () => {
        if (out.includes('control API')) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    expect(out).toContain('bridge-tenant');
    expect(out).toContain('bridge-demo / bridge-demo-secret');
    expect(out).toContain('usmf, usrt');
    const url = /environment URL \(http\):\s+(\S+)/.exec(out)![1]!;
    expect((await fetch(`${url}/_emulator`)).status).toBe(200);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', resolve);
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  }, 30_000);
});
