/**
 * Flow 4: products and prices, F&O → Salesforce. F&O is the master of what can be sold and at
 * what price. A run reads each mapped company's catalogue (`read-fno.ts`), builds the records
 * Salesforce should hold (`plan.ts`), compares their content hashes with the last run's (kept in
 * the store: `ReleasedProductsV2` has no modified date), and writes only what changed
 * (`write-salesforce.ts`). A run with nothing changed makes no Salesforce call at all.
 */
import type { FnoRunDeps, FnoRunOptions, FnoRunResult, FnoToSalesforceFlow } from '../sync/flow.js';
import { UnmappedCompanyError } from '../sync/fno-errors.js';
import { buildPlan, emptyState, type ProductsState } from './plan.js';
import { fnoLanguage, readCompany, readNames } from './read-fno.js';
import { changesOf, writeChanges } from './write-salesforce.js';

const STATE_NS = 'products';
const STATE_KEY = 'state';
const SHOWN_CHANGES = 50;

export async function runProducts(opts: FnoRunOptions, deps: FnoRunDeps): Promise<FnoRunResult> {
  const { d365, salesforce, cfg, store, config } = deps;
  const mapped = Object.keys(cfg.companies);
  const companies = opts.companies?.length ? opts.companies.map((c) => c.toLowerCase()) : mapped;
  for (const c of companies) if (!cfg.companies[c]) throw new UnmappedCompanyError(c);

  // Companies and name languages are read at once (the governor's bulk lane still bounds the
  // requests): an export mostly waits for F&O's job, so the others need not wait behind it.
  const read = mapped.filter((c) => companies.includes(c));
  const languages = [...new Set(read.map((c) => fnoLanguage(cfg.companies[c]!.language)))];
  const settings = {
    exportProject: config.PRODUCTS_EXPORT_PROJECT,
    exportThreshold: config.PRODUCTS_EXPORT_THRESHOLD,
  };
  const [catalogues, nameReads] = await Promise.all([
    Promise.all(read.map((company) => readCompany(d365, company, settings, deps.log, deps.signal))),
    Promise.all(languages.map((language) => readNames(d365, language, deps.signal))),
  ]);
  const names = new Map(languages.map((language, i) => [language, nameReads[i]!.names]));
  const d365Requests = [...catalogues, ...nameReads].reduce((n, r) => n + r.requests, 0);

  const state = (await store.ledgerGet<ProductsState>(STATE_NS, STATE_KEY)) ?? emptyState();
  const plan = buildPlan(cfg, catalogues, names, state, {
    priceBooks: config.PRODUCTS_PRICE_BOOKS,
    stoppedStates: config.PRODUCTS_STOPPED_STATES,
    multiCurrency: config.PRODUCTS_MULTI_CURRENCY,
    today: new Date(deps.clock()).toISOString().slice(0, 10),
  });
  const changes = changesOf(plan, state, opts.full);
  const counts: Record<string, number> = {
    companies: catalogues.length,
    productsRead: catalogues.reduce((n, c) => n + c.products.length, 0),
    d365Requests,
    companiesExported: catalogues.filter((c) => c.via === 'export').length,
    exportsFailed: catalogues.filter((c) => c.exportFailed).length,
    productsChanged: changes.products.length,
    pricesChanged: changes.prices.length,
    productsToDeactivate: changes.deactivate.length,
    entriesToDeactivate: changes.staleEntries.length,
  };
  if (opts.dryRun) {
    const shown = [
      ...changes.products.map((p) => ({ kind: 'Product2', itemNumber: p.itemNumber, ...p.fields })),
      ...changes.prices.map((p) => ({ kind: 'PricebookEntry', ...p, book: p.book || 'Standard' })),
      ...changes.deactivate.map((itemNumber) => ({ kind: 'Product2', itemNumber, IsActive: false })),
      ...changes.staleEntries.map((key) => ({ kind: 'PricebookEntry', key, IsActive: false })),
    ].slice(0, SHOWN_CHANGES);
    return { flow: 'products', dryRun: true, counts, changes: shown };
  }
  const written = await writeChanges(salesforce, changes, state, deps.log, {
    multiCurrency: config.PRODUCTS_MULTI_CURRENCY,
  });
  if (written.productsWritten + written.pricesWritten + written.deactivated > 0)
    await store.ledgerPut(STATE_NS, STATE_KEY, state, { overwrite: true });
  return { flow: 'products', dryRun: false, counts: { ...counts, ...written } };
}

/** Flow 4's registry entry. */
export const productsFlow: FnoToSalesforceFlow = {
  flow: 'products',
  summary: 'Products and prices from F&O to Salesforce Product2 and price books',
  entities: ['ReleasedProductsV2', 'ProductTranslations', 'SalesPriceAgreements'],
  sobjects: ['Product2', 'Pricebook2', 'PricebookEntry'],
  scheduleSetting: 'PRODUCTS_SYNC_CRON',
  run: runProducts,
};
