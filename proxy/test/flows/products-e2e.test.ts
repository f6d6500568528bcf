/**
 * Flow 4 end to end: F&O's released products, names and price agreements become Product2 and
 * price book entries in Salesforce, over real HTTP on both emulators, through the admin route the
 * registry derives. Then only what changed is written, a product F&O no longer releases becomes
 * inactive, and a Closed Won Opportunity built from the synced products (awkward item numbers
 * included) becomes a sales order with those exact item numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/dispatch.js';
import { runFnoFlowCli } from '../../src/cli/fno-flow.js';
import { productsFlow } from '../../src/flows/products/products-flow.js';
import { soqlSelectList } from '../../src/flows/sync/flow.js';
import { SALESFORCE_TO_FNO } from '../../src/flows/sync/registry.js';
import {
  AWKWARD_ITEMS,
  catalogPrice,
  NO_PRICE_ITEM,
  productCatalog,
} from '../../../test/emulators/d365/product-catalog.js';
import { startHarness, waitFor, type Harness, type Row } from './sync-harness.js';

let h: Harness;
let bridgePath: string;
const COUNT = 30;

beforeAll(async () => {
  h = await startHarness();
  const catalog = productCatalog({ count: COUNT });
  for (const [entity, rows] of Object.entries(catalog)) h.d365.control.putRows(entity, rows);
  bridgePath = h.writeBridge('bridge.products.json', (cfg) => {
    cfg.companies.usmf.currencies = ['USD', 'EUR'];
    cfg.companies.usrt.currencies = ['USD', 'EUR'];
    cfg.companies.usmf.priceGroups = ['10'];
  });
  await h.start({ BRIDGE_CONFIG: bridgePath, SF_BULK_THRESHOLD: '100' });
}, 30_000);
afterAll(async () => h?.close());

const products = (): Row[] => h.sf.control.records('Product2');
const product = (item: string): Row | undefined => products().find((p) => p.D365_Item_Number__c === item);
const books = (): Row[] => h.sf.control.records('Pricebook2');
const bookId = (name: string): string => String(books().find((b) => b.Name === name)?.Id);
const entry = (item: string, book: string, currency: string): Row | undefined => {
  const p = product(item);
  return h.sf.control
    .records('PricebookEntry')
    .find((e) => e.Product2Id === p?.Id && e.Pricebook2Id === bookId(book) && e.CurrencyIsoCode === currency);
};
const writes = (): number => {
  const k = h.sf.control.counters().byKind;
  return (k.collections ?? 0) + (k.composite ?? 0) + (k.bulk ?? 0) + (k.sobject ?? 0) + (k.upsert ?? 0);
};

/** The flow's memory lost (a new store): what it wrote must be found again, not duplicated. */
const forgetProductsState = () =>
  h.proxy.runtime.store.ledgerPut(
    'products',
    'state',
    { products: {}, prices: {}, books: {} },
    { overwrite: true },
  );

async function run(body: Row = {}): Promise<void> {
  const res = await h.admin('/v1/flows/products/run', { method: 'POST', body });
  expect(res.status).toBe(202);
  await waitFor(
    `products job ${res.body.jobId}`,
    async () => {
      const job = await h.admin(`/v1/jobs/${res.body.jobId}`);
      if (job.body.state === 'dead')
        throw new Error(`products run dead-lettered: ${JSON.stringify(job.body)}`);
      return job.body.state === 'done';
    },
    20_000,
  );
}

describe('products and prices: F&O → Salesforce', () => {
  it('a dry run says what would change and writes nothing', async () => {
    const before = writes();
    const res = await h.admin('/v1/flows/products/run', { method: 'POST', body: { dryRun: true } });
    expect(res.status).toBe(200);
    expect(res.body.dryRun).toBe(true);
    expect(res.body.counts.productsChanged).toBeGreaterThanOrEqual(COUNT + AWKWARD_ITEMS.length + 1);
    expect(res.body.changes[0]).toMatchObject({ kind: 'Product2' });
    expect(writes()).toBe(before);
    expect(products()).toHaveLength(0);
  });

  it('refuses a company that is not mapped, with a stable code', async () => {
    const res = await h.admin('/v1/flows/products/run', { method: 'POST', body: { company: 'nope' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('UNKNOWN_COMPANY');
  });

  it('writes products, the standard price per currency, then each company price book', async () => {
    await run();
    expect(product('P000001')).toMatchObject({
      Name: 'Product P000001',
      ProductCode: 'P000001',
      IsActive: true,
      D365_Unit__c: 'pcs',
      D365_Product_Type__c: 'Item',
      D365_Companies__c: 'usmf;usrt',
    });
    // P000001 also has a customer-group price, a quantity break and a future price: none is the list price.
    for (const currency of ['USD', 'EUR']) {
      expect(entry('P000001', 'Standard Price Book', currency)?.UnitPrice).toBe(catalogPrice(1, currency));
      expect(entry('P000001', 'F&O USMF', currency)?.UnitPrice).toBe(catalogPrice(1, currency));
      expect(entry('P000001', 'F&O USRT', currency)?.UnitPrice).toBe(catalogPrice(1, currency));
    }
    // The demo products (USD agreements only) get USD entries; no price at all → a product, no entry.
    expect(product(NO_PRICE_ITEM)?.IsActive).toBe(true);
    expect(entry(NO_PRICE_ITEM, 'Standard Price Book', 'USD')).toBeUndefined();
  });

  it("a configured customer price group gets its company's book: the group's price, else the list price", () => {
    const book = 'F&O USMF group 10';
    for (const currency of ['USD', 'EUR']) {
      // P000001 has a group-10 agreement (one less than the list price); P000002 has none.
      const groupPrice = Math.round((catalogPrice(1, currency) - 1) * 100) / 100;
      expect(entry('P000001', book, currency)?.UnitPrice).toBe(groupPrice);
      expect(entry('P000001', 'F&O USMF', currency)?.UnitPrice).toBe(catalogPrice(1, currency));
      expect(entry('P000002', book, currency)?.UnitPrice).toBe(catalogPrice(2, currency));
    }
    // Only the company that lists the group gets its book; no price at all → no entry there either.
    expect(books().map((b) => b.Name)).not.toContain('F&O USRT group 10');
    expect(entry(NO_PRICE_ITEM, book, 'USD')).toBeUndefined();
  });

  it('awkward item numbers round-trip exactly', () => {
    for (const item of AWKWARD_ITEMS) {
      expect(product(item), item).toBeDefined();
      expect(entry(item, 'F&O USMF', 'EUR'), item).toBeDefined();
    }
  });

  it('a run with nothing changed makes no Salesforce call', async () => {
    h.sf.control.resetCounters({ keepUsage: true });
    await run();
    expect(h.sf.control.counters().byKind).not.toHaveProperty('collections');
    expect(writes()).toBe(0);
  });

  it('fo-bridge products sync --dry-run --company prints that nothing would change', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      env: h.env({ BRIDGE_CONFIG: bridgePath }),
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
    };
    const tokenEndpoint = `${h.d365.url}/${h.d365.tenantId}/oauth2/v2.0/token`;
    const cli = (...argv: string[]) =>
      runFnoFlowCli(productsFlow, argv, io, {
        d365Overrides: { authorityMetadataOverride: { tokenEndpoint } },
      });
    const code = await cli('sync', '--dry-run', '--company', 'usmf');
    expect(err.join('\n')).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('  productsChanged: 0');
    expect(out).toContain('  pricesChanged: 0');
    expect(await cli('sync', '--company', 'nope')).toBe(1);
    expect(err.join('\n')).toMatch(/UNKNOWN_COMPANY/);
    // The command table has one command per F&O → Salesforce flow.
    expect(await runCli(['products', 'resync'], io)).toBe(2);
    expect(await runCli(['products', '--help'], io)).toBe(0);
    expect(out.join('\n')).toMatch(/fo-bridge products sync \[--company C\]/);
  });

  it('a price change in F&O changes only that entry', async () => {
    const [agreement] = h.d365.control
      .rows('SalesPriceAgreements', { company: 'usrt' })
      .filter((a) => a.ItemNumber === 'P000003' && a.PriceCurrencyCode === 'EUR');
    h.d365.control.putRows('SalesPriceAgreements', [{ ...agreement, Price: 123.4 }]);
    const before = new Map(h.sf.control.records('PricebookEntry').map((e) => [e.Id, e.UnitPrice]));
    await run();
    const changed = h.sf.control.records('PricebookEntry').filter((e) => before.get(e.Id) !== e.UnitPrice);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({
      Pricebook2Id: bookId('F&O USRT'),
      CurrencyIsoCode: 'EUR',
      UnitPrice: 123.4,
    });
  });

  it('a product F&O no longer releases becomes inactive, never deleted', async () => {
    for (const company of ['usmf', 'usrt'])
      h.d365.control.deleteRow('ReleasedProductsV2', { dataAreaId: company, ItemNumber: 'P000004' });
    await run();
    expect(product('P000004')).toMatchObject({ IsActive: false });
  });

  it('with its memory lost, a full run rewrites every entry without duplicating one', async () => {
    const count = h.sf.control.records('PricebookEntry').length;
    await forgetProductsState();
    const result = await h.proxy.runtime.fno.runNow('products', { full: true, dryRun: false });
    expect(result.counts.failed).toBe(0);
    expect(h.sf.control.records('PricebookEntry')).toHaveLength(count);
    expect(entry('P000003', 'F&O USRT', 'EUR')?.UnitPrice).toBe(123.4);
  });

  it('a standard price typed by hand before the bridge (no key) is taken over, not duplicated', async () => {
    const sf = h.proxy.runtime.salesforce!;
    const standard = String(books().find((b) => b.IsStandard === true)?.Id);
    const typed = h.sf.control
      .records('PricebookEntry')
      .find((e) => e.Product2Id === product('P000005')?.Id && e.Pricebook2Id === standard);
    expect(typed).toBeDefined();
    const [cleared] = await sf.updateMany('PricebookEntry', [
      { Id: typed!.Id, D365_Price_Key__c: null, UnitPrice: 1 },
    ]);
    expect(cleared?.success).toBe(true);
    const count = h.sf.control.records('PricebookEntry').length;
    await forgetProductsState();
    const result = await h.proxy.runtime.fno.runNow('products', { full: true, dryRun: false });
    expect(result.counts.failed).toBe(0);
    expect(h.sf.control.records('PricebookEntry')).toHaveLength(count);
    const after = h.sf.control.records('PricebookEntry').find((e) => e.Id === typed!.Id);
    expect(after?.D365_Price_Key__c).toBe(typed!.D365_Price_Key__c);
    expect(after?.UnitPrice).toBe(typed!.UnitPrice);
  });

  it('a Closed Won Opportunity built from synced products becomes a sales order with no manual mapping', async () => {
    const sf = h.proxy.runtime.salesforce!;
    const { id: accountId } = await sf.create('Account', {
      Name: 'Fabrikam Supplies',
      D365_Customer_Number__c: 'US-024',
      D365_Legal_Entity__c: 'usmf',
    });
    const { id: oppId } = await sf.create('Opportunity', {
      Name: 'Catalogue order',
      AccountId: accountId,
      StageName: 'Prospecting',
      CloseDate: '2026-09-01',
      Pricebook2Id: bookId('F&O USMF'),
    });
    for (const item of ['P000001', ...AWKWARD_ITEMS]) {
      const pbe = entry(item, 'F&O USMF', 'USD')!;
      await sf.create('OpportunityLineItem', {
        OpportunityId: oppId,
        PricebookEntryId: pbe.Id,
        Quantity: 2,
        UnitPrice: pbe.UnitPrice,
      });
    }
    await sf.update('Opportunity', oppId, { StageName: 'Closed Won' });
    // What the package's Apex selects and sends.
    const order = SALESFORCE_TO_FNO.find((f) => f.flow === 'order')!;
    const [record] = await sf.queryAll(
      `SELECT ${soqlSelectList(order.select)} FROM Opportunity WHERE Id = '${oppId}'`,
    );
    const res = await h.post('/v1/orders', { records: [record] });
    expect(res.status).toBe(202);
    expect(res.body.results[0].status).toBe('accepted');
    const synced = await waitFor(
      'order synced',
      () => {
        const o = h.sf.control.record('Opportunity', oppId);
        if (o?.D365_Sync_Error__c) throw new Error(`order refused: ${String(o.D365_Sync_Error__c)}`);
        return o?.D365_Sync_Status__c === 'Synced' && o;
      },
      20_000,
    );
    const header = h.d365.control
      .rows('SalesOrderHeadersV2', { company: 'usmf' })
      .find((o) => o.SalesOrderNumber === synced.D365_Sales_Order_Number__c)!;
    const lines = h.d365.control
      .rows('SalesOrderLines', { company: 'usmf' })
      .filter((l) => l.SalesOrderNumber === header.SalesOrderNumber)
      .map((l) => [l.ItemNumber, l.SalesPrice]);
    // Leading space, apostrophe, non-ASCII and 20 characters: the item numbers F&O released, exactly.
    expect(lines).toEqual([
      ['P000001', catalogPrice(1, 'USD')],
      ...AWKWARD_ITEMS.map((item, k) => [item, catalogPrice(900_000 + k, 'USD')]),
    ]);
  });
});
