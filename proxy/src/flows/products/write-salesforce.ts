/**
 * Writes a plan's changes to Salesforce in as few calls as the client allows: Product2 upserted
 * by `D365_Item_Number__c`, then the standard price book entries, then the custom ones (a custom
 * entry without a standard one is refused: STANDARD_PRICE_NOT_DEFINED). New entries are upserted
 * by `D365_Price_Key__c` (they need the product, the price book and the currency, which cannot
 * change afterwards); known ones are updated by Id with only their price and `IsActive`. The
 * client picks sObject Collections or Bulk API 2.0 by size (`SF_BULK_THRESHOLD`).
 *
 * Records that fail are not remembered, so the next run tries them again; products are never
 * deleted (opportunities reference them): no longer released → `IsActive = false`.
 */
import type { RecordResult, SalesforceClient, SfRecord } from '../../salesforce/index.js';
import {
  priceHash,
  productHash,
  type Plan,
  type PriceRecord,
  type ProductRecord,
  type ProductsState,
} from './plan.js';

export interface WriteCounts {
  productsWritten: number;
  pricesWritten: number;
  deactivated: number;
  failed: number;
}

export interface Changes {
  products: ProductRecord[];
  prices: PriceRecord[];
  deactivate: string[];
  staleEntries: string[];
}

/** What differs from the stored state (everything, on a full refresh). */
export function changesOf(plan: Plan, state: ProductsState, full: boolean): Changes {
  return {
    products: plan.products.filter((p) => full || state.products[p.itemNumber]?.h !== productHash(p)),
    prices: plan.prices.filter((p) => full || state.prices[p.key]?.h !== priceHash(p)),
    deactivate: plan.deactivate,
    staleEntries: plan.staleEntries,
  };
}

const firstError = (r: RecordResult): string => r.errors[0]?.errorCode ?? 'UNKNOWN';

export async function writeChanges(
  sf: SalesforceClient,
  changes: Changes,
  state: ProductsState,
  log: { warn(obj: object, msg?: string): void },
  opts: { multiCurrency: boolean },
): Promise<WriteCounts> {
  const counts: WriteCounts = { productsWritten: 0, pricesWritten: 0, deactivated: 0, failed: 0 };
  const failed = (what: string, key: string, r: RecordResult): void => {
    counts.failed += 1;
    log.warn(
      { what, key, error: firstError(r), message: r.errors[0]?.message },
      'product sync: write refused',
    );
  };

  // ── Product2 ──────────────────────────────────────────────────────────────────────────
  const deactivations = changes.deactivate.filter((item) => state.products[item]);
  const productRows: SfRecord[] = [
    ...changes.products.map((p) => ({ ...p.fields, D365_Last_Synced__c: new Date().toISOString() })),
    ...deactivations.map((item) => ({ D365_Item_Number__c: item, IsActive: false })),
  ];
  if (productRows.length > 0) {
    const res = await sf.upsertMany('Product2', 'D365_Item_Number__c', productRows, { allOrNone: false });
    res.results.forEach((r, i) => {
      const product = changes.products[i];
      const item = product?.itemNumber ?? deactivations[i - changes.products.length]!;
      if (!r.success || !r.id) return failed('Product2', item, r);
      if (product) {
        state.products[item] = {
          h: productHash(product),
          id: r.id,
          companies: product.fields.D365_Companies__c.split(';'),
        };
        counts.productsWritten += 1;
      } else {
        delete state.products[item];
        counts.deactivated += 1;
      }
    });
  }

  // ── price books ───────────────────────────────────────────────────────────────────────
  const bookIds = await priceBookIds(sf, changes.prices, state);

  // ── PricebookEntry: standard first, then custom ───────────────────────────────────────
  const standard = changes.prices.filter((p) => p.book === '');
  const custom = changes.prices.filter((p) => p.book !== '');
  for (const group of [standard, custom])
    await writeEntries(sf, group, { bookIds, state, counts, failed, multiCurrency: opts.multiCurrency });

  // ── entries without a price any more ──────────────────────────────────────────────────
  const stale = changes.staleEntries.filter((k) => state.prices[k]);
  if (stale.length > 0) {
    const results = await sf.updateMany(
      'PricebookEntry',
      stale.map((k) => ({ Id: state.prices[k]!.id, IsActive: false })),
      { allOrNone: false },
    );
    results.forEach((r, i) => {
      if (!r.success) return failed('PricebookEntry', stale[i]!, r);
      delete state.prices[stale[i]!];
      counts.pricesWritten += 1;
    });
  }
  return counts;
}

async function writeEntries(
  sf: SalesforceClient,
  entries: readonly PriceRecord[],
  ctx: {
    bookIds: ReadonlyMap<string, string>;
    state: ProductsState;
    counts: WriteCounts;
    failed: (what: string, key: string, r: RecordResult) => void;
    multiCurrency: boolean;
  },
): Promise<void> {
  const { bookIds, state, counts, failed } = ctx;
  const known = entries.filter((e) => state.prices[e.key]);
  const fresh = entries.filter((e) => !state.prices[e.key] && state.products[e.itemNumber]);
  const remember = (e: PriceRecord, r: RecordResult): void => {
    if (!r.success || !r.id) return failed('PricebookEntry', e.key, r);
    state.prices[e.key] = { h: priceHash(e), id: r.id, company: e.company };
    counts.pricesWritten += 1;
  };
  if (fresh.length > 0) {
    const rows = fresh.map((e) => ({
      D365_Price_Key__c: e.key,
      Pricebook2Id: bookIds.get(e.book),
      Product2Id: state.products[e.itemNumber]!.id,
      ...(ctx.multiCurrency ? { CurrencyIsoCode: e.currency } : {}),
      UnitPrice: e.unitPrice,
      IsActive: true,
    }));
    const res = await sf.upsertMany('PricebookEntry', 'D365_Price_Key__c', rows, { allOrNone: false });
    // An entry the store forgot (a lost or reset store) exists already: its product, price book
    // and currency cannot be written again, so it is upserted once more with its price only.
    // (A refusal for another reason is refused again, and logged then.)
    const refused: PriceRecord[] = [];
    res.results.forEach((r, i) => (r.success ? remember(fresh[i]!, r) : refused.push(fresh[i]!)));
    // An entry typed by hand before the bridge (no key) holds the product's place in the book:
    // F&O is the price master, so it is taken over (key and price set by Id), never duplicated.
    const unkeyed = await unkeyedEntries(sf, refused, ctx);
    const adopted = refused.filter((e) => unkeyed.has(slot(e, ctx)));
    if (adopted.length > 0) {
      const results = await sf.updateMany(
        'PricebookEntry',
        adopted.map((e) => ({
          Id: unkeyed.get(slot(e, ctx)),
          D365_Price_Key__c: e.key,
          UnitPrice: e.unitPrice,
          IsActive: true,
        })),
        { allOrNone: false },
      );
      results.forEach((r, i) =>
        remember(adopted[i]!, { ...r, id: r.id ?? unkeyed.get(slot(adopted[i]!, ctx))! }),
      );
    }
    const again = refused.filter((e) => !unkeyed.has(slot(e, ctx)));
    if (again.length > 0) {
      const second = await sf.upsertMany(
        'PricebookEntry',
        'D365_Price_Key__c',
        again.map((e) => ({ D365_Price_Key__c: e.key, UnitPrice: e.unitPrice, IsActive: true })),
        { allOrNone: false },
      );
      second.results.forEach((r, i) => remember(again[i]!, r));
    }
  }
  if (known.length > 0) {
    const results = await sf.updateMany(
      'PricebookEntry',
      known.map((e) => ({ Id: state.prices[e.key]!.id, UnitPrice: e.unitPrice, IsActive: true })),
      { allOrNone: false },
    );
    results.forEach((r, i) => remember(known[i]!, { ...r, id: r.id ?? state.prices[known[i]!.key]!.id }));
  }
}

/** Where an entry sits in Salesforce: one per product, price book and (multi-currency) currency. */
function slot(
  e: PriceRecord,
  ctx: { bookIds: ReadonlyMap<string, string>; state: ProductsState; multiCurrency: boolean },
): string {
  const product = ctx.state.products[e.itemNumber]?.id ?? '';
  return `${product}|${ctx.bookIds.get(e.book) ?? ''}|${ctx.multiCurrency ? e.currency : ''}`;
}

/**
 * Entries without a `D365_Price_Key__c` in the slots of `refused` (a price typed before the
 * bridge, or written by another tool), by slot. One query per 200 products.
 */
async function unkeyedEntries(
  sf: SalesforceClient,
  refused: readonly PriceRecord[],
  ctx: { bookIds: ReadonlyMap<string, string>; state: ProductsState; multiCurrency: boolean },
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const productIds = [
    ...new Set(refused.map((e) => ctx.state.products[e.itemNumber]?.id).filter((id): id is string => !!id)),
  ];
  const currency = ctx.multiCurrency ? ', CurrencyIsoCode' : '';
  for (let i = 0; i < productIds.length; i += 200) {
    const ids = productIds
      .slice(i, i + 200)
      .map((id) => `'${id}'`)
      .join(', ');
    const rows = await sf.queryAll<{
      Id: string;
      Product2Id: string;
      Pricebook2Id: string;
      CurrencyIsoCode?: string;
    }>(
      `SELECT Id, Product2Id, Pricebook2Id${currency} FROM PricebookEntry WHERE D365_Price_Key__c = null AND Product2Id IN (${ids})`,
    );
    for (const r of rows) found.set(`${r.Product2Id}|${r.Pricebook2Id}|${r.CurrencyIsoCode ?? ''}`, r.Id);
  }
  return found;
}

/** The Ids of the price books the entries need: remembered, found by name, or created. */
async function priceBookIds(
  sf: SalesforceClient,
  entries: readonly PriceRecord[],
  state: ProductsState,
): Promise<Map<string, string>> {
  const ids = new Map(Object.entries(state.books));
  const needed = [...new Set(entries.map((e) => e.book))].filter((b) => !ids.has(b));
  if (needed.length === 0) return ids;
  if (needed.includes('')) {
    const [std] = await sf.queryAll<{ Id: string }>(
      'SELECT Id FROM Pricebook2 WHERE IsStandard = true LIMIT 1',
    );
    if (std) ids.set('', std.Id);
  }
  const names = needed.filter((b) => b !== '');
  if (names.length > 0) {
    const quoted = names.map((n) => `'${n.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ');
    for (const b of await sf.queryAll<{ Id: string; Name: string }>(
      `SELECT Id, Name FROM Pricebook2 WHERE Name IN (${quoted})`,
    ))
      ids.set(b.Name, b.Id);
    for (const name of names.filter((n) => !ids.has(n))) {
      const { id } = await sf.create('Pricebook2', {
        Name: name,
        IsActive: true,
        Description: 'Prices from Dynamics 365 F&O (written by F&O Bridge)',
      });
      ids.set(name, id);
    }
  }
  for (const [name, id] of ids) state.books[name] = id;
  return ids;
}
