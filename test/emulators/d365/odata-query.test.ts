import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSchema } from './entities/schema.js';
import type { D365Emulator } from './index.js';
import { ODataError } from './odata/errors.js';
import { compileFilter, parseFilter } from './odata/filter-parser.js';
import { odataClient, startTestEmulator, type ODataClient } from './test-helpers.js';

describe('$filter parser', () => {
  const schema = loadSchema('CustomersV3');
  const match = (filter: string, row: Record<string, unknown>) =>
    compileFilter(parseFilter(filter), schema, 'CustomerV3')(row);
  const status = (filter: string) => {
    try {
      compileFilter(parseFilter(filter), schema, 'CustomerV3');
      return 200;
    } catch (err) {
      return err instanceof ODataError ? err.status : 500;
    }
  };

  it('handles precedence (and over or), not and parentheses', () => {
    const row = { CustomerAccount: 'US-001', CreditLimit: 100, CustomerGroupId: '10' };
    expect(match("CustomerAccount eq 'X' or CreditLimit gt 50 and CustomerGroupId eq '10'", row)).toBe(true);
    expect(match("(CustomerAccount eq 'X' or CreditLimit gt 50) and CustomerGroupId eq '20'", row)).toBe(
      false,
    );
    expect(match('not (CreditLimit le 100)', row)).toBe(false);
    expect(match('CreditLimit ge 100 and CreditLimit lt 100.5', row)).toBe(true);
  });

  it("treats strings case-insensitively, unescapes '' and supports * wildcards in eq", () => {
    const row = { OrganizationName: "O'Brien Retail" };
    expect(match("OrganizationName eq 'o''brien retail'", row)).toBe(true);
    expect(match("OrganizationName eq '*retail*'", row)).toBe(true);
    expect(match("OrganizationName eq 'Retail*'", row)).toBe(false);
    expect(match("OrganizationName ne '*brien*'", row)).toBe(false);
  });

  it("matches an or-chain of eq on one text field like the terms one by one (what clients write for 'in')", () => {
    const chain = "CustomerAccount eq 'us-001' or CustomerAccount eq 'US-002' or CustomerAccount eq 'X'";
    expect(match(chain, { CustomerAccount: 'US-001' })).toBe(true);
    expect(match(chain, { CustomerAccount: 'us-002' })).toBe(true);
    expect(match(chain, { CustomerAccount: 'US-003' })).toBe(false);
    expect(match(chain, { CustomerAccount: null })).toBe(false);
    // Not text, or a wildcard: the general path, with its errors and patterns.
    expect(status("CreditLimit eq 'a' or CreditLimit eq 'b'")).toBe(400);
    expect(status("NoSuchField eq 'a' or NoSuchField eq 'b'")).toBe(400);
    expect(match("CustomerAccount eq 'US-9*' or CustomerAccount eq 'X'", { CustomerAccount: 'US-901' })).toBe(
      true,
    );
  });

  it('compares dates and enum literals', () => {
    const row = { AddressValidFrom: '2024-05-01T10:00:00Z', IsOneTimeCustomer: 'Yes' };
    expect(match('AddressValidFrom gt 2024-01-01T00:00:00Z', row)).toBe(true);
    expect(match('AddressValidFrom lt 2024-05-01', row)).toBe(false);
    expect(match("IsOneTimeCustomer eq Microsoft.Dynamics.DataEntities.NoYes'Yes'", row)).toBe(true);
    expect(match("IsOneTimeCustomer ne Microsoft.Dynamics.DataEntities.NoYes'Yes'", row)).toBe(false);
  });

  it('rejects what F&O does not support with 400', () => {
    expect(status("CustomerAccount in ('A','B')")).toBe(400);
    expect(status("OnHoldStatus has Microsoft.Dynamics.DataEntities.CustVendorBlocked'All'")).toBe(400);
    expect(status("contains(OrganizationName,'x')")).toBe(400);
    expect(status("IsOneTimeCustomer eq 'Yes'")).toBe(400);
    expect(status("IsOneTimeCustomer gt Microsoft.Dynamics.DataEntities.NoYes'No'")).toBe(400);
    expect(status("NoSuchField eq 'x'")).toBe(400);
    expect(status("CustomerAccount eq 'unterminated")).toBe(400);
    expect(status('CreditLimit add 5 gt 10')).toBe(400);
    expect(status("CustomerAccount eq 'a' and")).toBe(400);
  });
});

describe('OData queries over HTTP', () => {
  let emu: D365Emulator;
  let od: ODataClient;
  beforeAll(async () => {
    emu = await startTestEmulator({ pageSize: 7 });
    od = await odataClient(emu);
  });
  afterAll(async () => emu.close());

  it('lists the default company only, with @odata.context, weak ETags and F&O value shapes', async () => {
    const { status, json, headers } = await od.get('CustomersV3');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toContain('application/json; odata.metadata=minimal');
    expect(json['@odata.context']).toBe(`${emu.url}/data/$metadata#CustomersV3`);
    expect(json.value).toHaveLength(7);
    const c = json.value[0];
    expect(c['@odata.etag']).toMatch(/^W\/"[A-Za-z0-9+/=]+"$/);
    expect(Buffer.from(/W\/"(.*)"/.exec(c['@odata.etag'])![1]!, 'base64').toString()).toMatch(/^'\d+,\d+'$/);
    expect(c.dataAreaId).toBe('usmf');
    expect(c.OnHoldStatus).toBe('No');
    expect(c.AddressTimeZone).toBeNull();
    expect(c.PersonFirstName).toBe('');
    expect(c.AddressValidTo).toBe('2154-12-31T23:59:59Z');
  });

  it('pages with a $skip-based @odata.nextLink that a client can follow to the end', async () => {
    const accounts: string[] = [];
    let next: string | undefined = 'CustomersV3?$select=CustomerAccount&$orderby=CustomerAccount desc';
    let pages = 0;
    while (next) {
      const res = await od.get(next);
      expect(res.status).toBe(200);
      accounts.push(...res.json.value.map((v: { CustomerAccount: string }) => v.CustomerAccount));
      next = res.json['@odata.nextLink']?.replace(`${emu.url}/data/`, '');
      if (next) expect(next).toMatch(/\$skip=\d+/);
      pages++;
    }
    expect(pages).toBe(Math.ceil(accounts.length / 7));
    expect(accounts).toHaveLength(emu.control.rows('CustomersV3', { company: 'usmf' }).length);
    expect([...accounts].sort().reverse()).toEqual(accounts);
  });

  it('$top/$skip/$count, /$count and $select context', async () => {
    const res = await od.get('CustomersV3?$top=3&$skip=2&$count=true&$select=CustomerAccount,CreditLimit');
    expect(Object.keys(res.json)).toEqual(['@odata.context', '@odata.count', 'value']);
    expect(res.json['@odata.context']).toBe(
      `${emu.url}/data/$metadata#CustomersV3(CustomerAccount,CreditLimit)`,
    );
    expect(res.json['@odata.count']).toBe(24);
    expect(res.json.value.map((v: Record<string, unknown>) => Object.keys(v))).toEqual(
      Array(3).fill(['@odata.etag', 'CustomerAccount', 'CreditLimit']),
    );
    expect(res.json.value[0].CustomerAccount).toBe('US-003');
    const count = await od.get("CustomersV3/$count?$filter=CustomerGroupId eq '10'");
    expect(count.headers.get('content-type')).toContain('text/plain');
    expect(Number(count.text)).toBe(
      emu.control.rows('CustomersV3', { company: 'usmf' }).filter((r) => r.CustomerGroupId === '10').length,
    );
  });

  it('cross-company=true returns every company and can be filtered by dataAreaId', async () => {
    const all = await od.get('CustomersV3/$count?cross-company=true');
    expect(Number(all.text)).toBe(32);
    const usrt = await od.get(
      "CustomersV3?cross-company=true&$filter=dataAreaId eq 'usrt'&$select=dataAreaId,CustomerAccount",
    );
    expect(usrt.json.value).toHaveLength(7); // page size
    expect(new Set(usrt.json.value.map((v: { dataAreaId: string }) => v.dataAreaId))).toEqual(
      new Set(['usrt']),
    );
  });

  it('reads by key (all parts named) and hides other companies unless cross-company=true', async () => {
    const one = await od.get("CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')");
    expect(one.status).toBe(200);
    expect(one.json['@odata.context']).toBe(`${emu.url}/data/$metadata#CustomersV3/$entity`);
    expect(one.headers.get('etag')).toBe(one.json['@odata.etag']);
    expect((await od.get("CustomersV3(dataAreaId='usmf',CustomerAccount='us-001')")).status).toBe(200);
    const other = await od.get("CustomersV3(dataAreaId='usrt',CustomerAccount='RT-001')");
    expect(other.status).toBe(404);
    expect(other.json).toEqual({
      error: { code: '', message: "Resource not found for the segment 'CustomersV3'." },
    });
    expect(
      (await od.get("CustomersV3(dataAreaId='usrt',CustomerAccount='RT-001')?cross-company=true")).status,
    ).toBe(200);
    expect((await od.get("CustomersV3('US-001')")).status).toBe(400);
    expect((await od.get("CustomersV3(dataAreaId='usmf',CustomerAccount='NOPE')")).status).toBe(404);
    const prop = await od.get("CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')/CustomerGroupId");
    expect(prop.json.value).toBe(
      emu.control.row('CustomersV3', { CustomerAccount: 'US-001' })!.CustomerGroupId,
    );
  });

  it('$expand one level with nested $select (blog fixture shape)', async () => {
    const res = await od.get(
      'SalesOrderHeadersV2?$top=1&$select=SalesOrderNumber&$expand=SalesOrderLines($select=InventoryLotId,ItemNumber,SalesOrderNumber)',
    );
    expect(res.json['@odata.context']).toBe(
      `${emu.url}/data/$metadata#SalesOrderHeadersV2(SalesOrderNumber,SalesOrderLines,SalesOrderLines(InventoryLotId,ItemNumber,SalesOrderNumber))`,
    );
    const order = res.json.value[0];
    expect(order.SalesOrderLines.length).toBeGreaterThan(0);
    for (const line of order.SalesOrderLines) {
      expect(Object.keys(line)).toEqual(['@odata.etag', 'InventoryLotId', 'ItemNumber', 'SalesOrderNumber']);
      expect(line.SalesOrderNumber).toBe(order.SalesOrderNumber);
    }
    const invoices = await od.get('SalesInvoiceHeadersV2?$top=2&$expand=SalesInvoiceLinesV2');
    for (const inv of invoices.json.value) expect(inv.SalesInvoiceLinesV2.length).toBeGreaterThan(0);
    expect(
      (await od.get('SalesOrderHeadersV2?$expand=SalesOrderLines($expand=SalesOrderHeaderV2)')).status,
    ).toBe(400);
    expect((await od.get('SalesOrderHeadersV2?$expand=DimensionSet')).status).toBe(400);
  });

  it('filters with enum literals, wildcards, dates and numbers; rejects unsupported syntax with the F&O error shape', async () => {
    const wild = await od.get("ReleasedProductsV2?$filter=SearchName eq '*speaker*'&$select=SearchName");
    expect(wild.json.value.length).toBeGreaterThan(0);
    for (const p of wild.json.value) expect(p.SearchName.toLowerCase()).toContain('speaker');
    const services = await od.get(
      "ReleasedProductsV2?$filter=ProductType eq Microsoft.Dynamics.DataEntities.EcoResProductType'Service'&$select=ItemNumber",
    );
    expect(services.json.value.map((p: { ItemNumber: string }) => p.ItemNumber)).toEqual([
      'S0020',
      'S0040',
      'S0060',
    ]);
    const recent = await od.get(
      'CustInvoiceJourBiEntities?$filter=DueDate ge 2026-03-01T00:00:00Z and InvoiceAmount gt 0&$select=InvoiceId,DueDate',
    );
    for (const r of recent.json.value) expect(r.DueDate >= '2026-03-01').toBe(true);
    const bad = await od.get("CustomersV3?$filter=CustomerAccount in ('US-001')");
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('');
    expect(bad.json.error.message).toContain("'in' operator is not supported");
    expect((await od.get('CustomersV3?$select=NoSuchField')).status).toBe(400);
    expect((await od.get('CustomersV3?$orderby=NoSuchField')).status).toBe(400);
    expect((await od.get('CustomersV3?$top=-1')).status).toBe(400);
    expect((await od.get('NoSuchEntities')).status).toBe(404);
  });

  it('serves the service document and a $metadata document', async () => {
    const root = await od.get('');
    expect(root.json.value.map((v: { name: string }) => v.name)).toContain('WarehousesOnHandV2');
    const meta = await od.get('$metadata');
    expect(meta.text).toContain(
      '<EntitySet Name="CustomersV3" EntityType="Microsoft.Dynamics.DataEntities.CustomerV3"/>',
    );
  });
});
