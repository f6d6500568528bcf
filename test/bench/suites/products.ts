/**
 * Products and prices (flow 4) benchmark: N released products (default 50,000) in one company,
 * priced in two currencies, into an empty org, then a run with 1 % of the prices changed, then a
 * run with nothing changed. The whole proxy runtime (createRuntime, SQLite store) against both
 * emulators over HTTP; the run is called in-process as `fo-bridge products sync` calls it.
 *
 * First, the read crossover: the company's catalogue read by OData paging and by a DMF export
 * (the export data project the runs use too) at several sizes (`PRODUCTS_BENCH_READ_SIZES`,
 * products; each has about two price agreements per product), wall time and F&O requests of
 * each. `PRODUCTS_EXPORT_THRESHOLD`'s default comes from here (docs/flows.md).
 *
 * Metrics: wall time, F&O requests (pages of ReleasedProductsV2, ProductTranslations,
 * SalesPriceAgreements; or the count, export and polls), Salesforce API calls split into sObject
 * Collections and Bulk API 2.0, peak RSS (this process: the emulators run in it too, so it is an
 * upper bound).
 * Goals: full ≤ 60 Salesforce calls and < 120 s; 1 % delta ≤ 10 calls; no change: 0 calls.
 */
import { productCatalog } from '../../emulators/d365/product-catalog.js';
import { startHarness } from '../../../proxy/test/flows/sync-harness.js';
import {
  PRICE_FIELDS,
  PRODUCT_FIELDS,
  readCatalogue,
  readCatalogueByExport,
} from '../../../proxy/src/flows/products/read-fno.js';

const N = Number(process.env.PRODUCTS_BENCH_N ?? 50_000);
const READ_SIZES = (process.env.PRODUCTS_BENCH_READ_SIZES ?? '1000,5000,10000,20000,50000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0 && n <= N);
const PROJECT = 'FOBRIDGE-PRODUCTS';
/** `PRODUCTS_BENCH_EXPORT=off`: the runs page OData whatever the size (a baseline to compare with). */
const EXPORT = process.env.PRODUCTS_BENCH_EXPORT !== 'off';
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

export default async function run(): Promise<Record<string, number>> {
  const h = await startHarness({
    d365: {
      seed: 'empty',
      latency: { readMs: 20, writeMs: 40, batchBaseMs: 20, batchPerOperationMs: 5, jitter: 0.25 },
    },
  });
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  try {
    h.d365.control.defineExportProject(PROJECT, [
      { entity: 'Released products V2', fields: ['dataAreaId', ...PRODUCT_FIELDS] },
      { entity: 'Sales price agreements', fields: ['dataAreaId', 'RecordId', ...PRICE_FIELDS] },
    ]);
    const bridge = h.writeBridge('bridge.bench.json', (cfg) => {
      cfg.companies = { usmf: { ...cfg.companies.usmf, currencies: ['USD', 'EUR'] } };
      cfg.routing.map = { US: 'usmf', MF: 'usmf' };
    });
    await h.start({
      BRIDGE_CONFIG: bridge,
      LOG_LEVEL: 'silent',
      ...(EXPORT ? { PRODUCTS_EXPORT_PROJECT: PROJECT } : {}),
    });
    await h.proxy.runtime.salesforce!.identity(); // log in outside the measurement

    // ── read crossover: OData paging vs DMF export, growing catalogue ─────────────────────
    const crossover: Record<string, number> = {};
    const d365 = h.proxy.runtime.d365!;
    for (const size of READ_SIZES) {
      // Sizes grow: the catalogue of `size` products is upserted over the smaller one.
      const catalog = productCatalog({ companies: ['usmf'], currencies: ['USD', 'EUR'], count: size });
      for (const [entity, rows] of Object.entries(catalog)) h.d365.control.putRows(entity, rows);
      const rows = catalog.ReleasedProductsV2.length + catalog.SalesPriceAgreements.length;
      for (const [via, read] of [
        ['odata', () => readCatalogue(d365, 'usmf')],
        ['export', () => readCatalogueByExport(d365, 'usmf', PROJECT)],
      ] as const) {
        h.d365.control.resetCounters();
        const t0 = performance.now();
        const got = await read();
        crossover[`products.read.${size}.${via}.seconds`] = round((performance.now() - t0) / 1000);
        crossover[`products.read.${size}.${via}.d365Requests`] = h.d365.control.counters().requests.total;
        if (got.products.length !== catalog.ReleasedProductsV2.length)
          throw new Error(
            `${via} read ${got.products.length} of ${catalog.ReleasedProductsV2.length} products`,
          );
      }
      crossover[`products.read.${size}.rows`] = rows;
    }

    const catalog = productCatalog({ companies: ['usmf'], currencies: ['USD', 'EUR'], count: N });
    for (const [entity, rows] of Object.entries(catalog)) h.d365.control.putRows(entity, rows);

    const measure = async () => {
      h.sf.control.resetCounters({ keepUsage: false });
      h.d365.control.resetCounters();
      const t0 = performance.now();
      const result = await h.proxy.runtime.fno.runNow('products', { full: false, dryRun: false });
      const seconds = (performance.now() - t0) / 1000;
      const sf = h.sf.control.counters();
      return {
        seconds,
        sfCalls: sf.apiUsed,
        collections: (sf.byKind.collections ?? 0) + (sf.byKind.composite ?? 0),
        bulk: sf.byKind.bulk ?? 0,
        d365Requests: h.d365.control.counters().requests.total,
        exported: result.counts.companiesExported ?? 0,
        result,
      };
    };

    const full = await measure();
    // 1 %: the USD price of every 100th product.
    const changed = h.d365.control
      .rows('SalesPriceAgreements', { company: 'usmf' })
      .filter((a, i) => a.PriceCurrencyCode === 'USD' && i % 200 === 0)
      .map((a) => ({ ...a, Price: Number(a.Price) + 1 }));
    h.d365.control.putRows('SalesPriceAgreements', changed);
    const delta = await measure();
    const noop = await measure();

    return {
      'products.n': N,
      'products.full.wallSeconds': round(full.seconds),
      'products.full.d365Requests': full.d365Requests,
      'products.full.companiesExported': full.exported,
      'products.full.sfCalls': full.sfCalls,
      'products.full.sfCollectionsCalls': full.collections,
      'products.full.sfBulkCalls': full.bulk,
      'products.full.productsWritten': full.result.counts.productsWritten ?? 0,
      'products.full.pricesWritten': full.result.counts.pricesWritten ?? 0,
      'products.delta.pricesChanged': changed.length,
      'products.delta.wallSeconds': round(delta.seconds),
      'products.delta.d365Requests': delta.d365Requests,
      'products.delta.sfCalls': delta.sfCalls,
      'products.delta.pricesWritten': delta.result.counts.pricesWritten ?? 0,
      'products.noop.wallSeconds': round(noop.seconds),
      'products.noop.sfCalls': noop.sfCalls,
      'products.rssMb': Math.round(peakRss / 2 ** 20),
      ...crossover,
    };
  } finally {
    clearInterval(sampler);
    await h.close();
  }
}
