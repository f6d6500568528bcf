/**
 * Flow 4 reading a large catalogue through a DMF export (the F&O emulator's ExportToPackage,
 * GetExecutionSummaryStatus, GetExportedPackageUrl and its blob), over real HTTP: the export gives
 * Salesforce exactly what OData paging gives (a paged run afterwards finds nothing to change), and
 * an export that fails falls back to paging instead of failing the run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRICE_FIELDS, PRODUCT_FIELDS } from '../../src/flows/products/read-fno.js';
import {
  AWKWARD_ITEMS,
  catalogPrice,
  NO_PRICE_ITEM,
  productCatalog,
} from '../../../test/emulators/d365/product-catalog.js';
import { startHarness, type Harness, type Row } from './sync-harness.js';

let h: Harness;
let bridgePath: string;
const PROJECT = 'FOBRIDGE-PRODUCTS';

beforeAll(async () => {
  h = await startHarness();
  for (const [entity, rows] of Object.entries(productCatalog({ count: 30 })))
    h.d365.control.putRows(entity, rows);
  // What docs/flows.md tells the F&O admin to configure: one export project, both entities, these fields.
  h.d365.control.defineExportProject(PROJECT, [
    { entity: 'Released products V2', fields: ['dataAreaId', ...PRODUCT_FIELDS] },
    { entity: 'Sales price agreements', fields: ['dataAreaId', 'RecordId', ...PRICE_FIELDS] },
  ]);
  bridgePath = h.writeBridge('bridge.products-export.json', (cfg) => {
    cfg.companies.usmf.currencies = ['USD', 'EUR'];
    cfg.companies.usrt.currencies = ['USD', 'EUR'];
  });
}, 30_000);
afterAll(async () => h?.close());

const restart = async (env: Record<string, string>): Promise<void> => {
  await h.stop();
  await h.start({ BRIDGE_CONFIG: bridgePath, ...env });
};
const run = () => h.proxy.runtime.fno.runNow('products', { full: false, dryRun: false });
const product = (item: string): Row | undefined =>
  h.sf.control.records('Product2').find((p) => p.D365_Item_Number__c === item);
const entry = (item: string, book: string, currency: string): Row | undefined => {
  const p = product(item);
  const b = h.sf.control.records('Pricebook2').find((x) => x.Name === book);
  return h.sf.control
    .records('PricebookEntry')
    .find((e) => e.Product2Id === p?.Id && e.Pricebook2Id === b?.Id && e.CurrencyIsoCode === currency);
};

describe('products and prices through a DMF export', () => {
  it('above the threshold each company is exported, not paged, and Salesforce gets its products and prices', async () => {
    await restart({ PRODUCTS_EXPORT_PROJECT: PROJECT, PRODUCTS_EXPORT_THRESHOLD: '10' });
    h.d365.control.resetCounters();
    const result = await run();
    expect(result.counts).toMatchObject({ companies: 2, companiesExported: 2, exportsFailed: 0, failed: 0 });
    const exports = h.d365.control.dmfExecutions().filter((e) => e.definitionGroupId === PROJECT);
    expect(exports.map((e) => [e.legalEntityId, e.status])).toEqual([
      ['usmf', 'Succeeded'],
      ['usrt', 'Succeeded'],
    ]);
    // The only reads of the two entities over OData are the two $count requests.
    const byEntity = h.d365.control.counters().requests.byEntity;
    expect(byEntity.ReleasedProductsV2).toBe(2);
    expect(byEntity.SalesPriceAgreements ?? 0).toBe(0);

    expect(product('P000001')).toMatchObject({ Name: 'Product P000001', D365_Companies__c: 'usmf;usrt' });
    for (const currency of ['USD', 'EUR'])
      expect(entry('P000001', 'F&O USRT', currency)?.UnitPrice).toBe(catalogPrice(1, currency));
    for (const item of AWKWARD_ITEMS) expect(entry(item, 'F&O USMF', 'EUR'), item).toBeDefined();
    expect(product(NO_PRICE_ITEM)?.IsActive).toBe(true);
    expect(entry(NO_PRICE_ITEM, 'Standard Price Book', 'USD')).toBeUndefined();
  }, 60_000);

  it('reading the same catalogue by OData paging afterwards finds nothing to change', async () => {
    await restart({});
    const result = await run();
    expect(result.counts).toMatchObject({
      companiesExported: 0,
      productsChanged: 0,
      pricesChanged: 0,
      productsToDeactivate: 0,
      entriesToDeactivate: 0,
    });
  }, 60_000);

  it('an export that fails (no such data project) falls back to paging: the run still completes', async () => {
    await restart({ PRODUCTS_EXPORT_PROJECT: 'NO-SUCH-PROJECT', PRODUCTS_EXPORT_THRESHOLD: '10' });
    const [agreement] = h.d365.control
      .rows('SalesPriceAgreements', { company: 'usmf' })
      .filter(
        (a) => a.ItemNumber === 'P000002' && a.PriceCurrencyCode === 'USD' && !a.PriceCustomerGroupCode,
      );
    h.d365.control.putRows('SalesPriceAgreements', [{ ...agreement, Price: 99.5 }]);
    const result = await run();
    expect(result.counts).toMatchObject({ companiesExported: 0, exportsFailed: 2, failed: 0 });
    expect(entry('P000002', 'F&O USMF', 'USD')?.UnitPrice).toBe(99.5);
  }, 60_000);
});
