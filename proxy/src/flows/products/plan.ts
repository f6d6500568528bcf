/**
 * From the F&O catalogue to the Salesforce records it should be, and from there to what changed
 * since the last run (the content hash of each record, kept in the store).
 *
 * One Product2 per item number: F&O products are shared by the legal entities that release them,
 * and an Opportunity line names the item by `D365_Item_Number__c` whatever the company; the
 * companies that release it are listed in `D365_Companies__c`, and each company's prices live in
 * its own price book. Name, unit and type come from the first company (mapping order) that
 * releases the item. The standard price of a currency comes from the first company with a price
 * in that currency (Salesforce needs it before any custom price book entry).
 *
 * A company's `priceGroups` (mapping file) each get a price book of their own: the price a
 * customer of that price group pays for one unit (the group's agreement, else the list price).
 */
import { createHash } from 'node:crypto';
import type { BridgeConfig } from '../../mapping/index.js';
import { listPrice } from './prices.js';
import type { CompanyCatalogue, ReleasedProduct } from './read-fno.js';

export type PriceBooks = 'company' | 'company-currency' | 'none';

export interface PlanSettings {
  priceBooks: PriceBooks;
  stoppedStates: readonly string[];
  multiCurrency: boolean;
  /** YYYY-MM-DD: the day prices are valid on. */
  today: string;
}

/** Product2 as the flow writes it (package names, without namespace). */
export interface ProductRecord {
  itemNumber: string;
  fields: {
    Name: string;
    ProductCode: string;
    D365_Item_Number__c: string;
    D365_Unit__c: string;
    D365_Product_Type__c: string;
    D365_Companies__c: string;
    IsActive: boolean;
  };
}

/** One price book entry: the standard book (`book` = '') or a custom one by name. */
export interface PriceRecord {
  key: string;
  itemNumber: string;
  company: string;
  book: string;
  currency: string;
  unitPrice: number;
}

/** What the store remembers of the last successful write of each record. */
export interface ProductsState {
  products: Record<string, { h: string; id: string; companies: string[] }>;
  prices: Record<string, { h: string; id: string; company: string }>;
  /** Price book name ('' = standard) → Id. */
  books: Record<string, string>;
}

export const emptyState = (): ProductsState => ({ products: {}, prices: {}, books: {} });

export interface Plan {
  products: ProductRecord[];
  prices: PriceRecord[];
  /** Products known from earlier runs that no company releases any more (among those read). */
  deactivate: string[];
  /** Entries known from earlier runs that no longer have a price (among the companies read). */
  staleEntries: string[];
}

export const hashOf = (value: unknown): string =>
  createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 22);

/** The custom price book of a company (and currency), or undefined for none. */
export function priceBookName(books: PriceBooks, company: string, currency: string): string | undefined {
  if (books === 'none') return undefined;
  return books === 'company' ? `F&O ${company.toUpperCase()}` : `F&O ${company.toUpperCase()} ${currency}`;
}

/**
 * The price book of a company's customer price group: `F&O USMF group RETAIL`, per currency with
 * `company-currency` (`… RETAIL USD`). "group" keeps it apart from a currency book (`F&O USMF USD`).
 */
export function groupPriceBookName(
  books: PriceBooks,
  company: string,
  group: string,
  currency: string,
): string {
  const name = `F&O ${company.toUpperCase()} group ${group}`;
  return books === 'company-currency' ? `${name} ${currency}` : name;
}

export const priceKey = (book: string, currency: string, itemNumber: string): string =>
  `${book || 'Standard'}|${currency}|${itemNumber}`;

function currenciesOf(cfg: BridgeConfig, company: string, multiCurrency: boolean): string[] {
  const c = cfg.companies[company];
  if (!c) return [];
  return multiCurrency ? [...new Set([c.currency, ...(c.currencies ?? [])])] : [c.currency];
}

/**
 * The desired records for the companies read (`catalogues`, in mapping order); `previous`
 * says which companies released an item before, so a run for one company keeps the others'.
 */
export function buildPlan(
  cfg: BridgeConfig,
  catalogues: readonly CompanyCatalogue[],
  names: ReadonlyMap<string, ReadonlyMap<string, string>>,
  previous: ProductsState,
  s: PlanSettings,
): Plan {
  const read = new Set(catalogues.map((c) => c.company));
  const order = Object.keys(cfg.companies);
  const stopped = new Set(s.stoppedStates.map((x) => x.toLowerCase()));
  const sold = (p: ReleasedProduct): boolean => !stopped.has((p.ProductLifecycleStateId ?? '').toLowerCase());

  // Item → (company → released product), only where it is still sold.
  const byItem = new Map<string, Map<string, ReleasedProduct>>();
  for (const cat of catalogues)
    for (const p of cat.products) {
      if (!sold(p)) continue;
      let m = byItem.get(p.ItemNumber);
      if (!m) byItem.set(p.ItemNumber, (m = new Map()));
      m.set(cat.company, p);
    }

  const products: ProductRecord[] = [];
  const prices: PriceRecord[] = [];
  const deactivate: string[] = [];
  const items = new Set([...byItem.keys(), ...Object.keys(previous.products)]);
  for (const item of items) {
    const here = byItem.get(item) ?? new Map<string, ReleasedProduct>();
    const kept = (previous.products[item]?.companies ?? []).filter((c) => !read.has(c));
    const companies = order.filter((c) => here.has(c) || kept.includes(c));
    if (companies.length === 0) {
      if (previous.products[item]) deactivate.push(item);
      continue;
    }
    const primary = order.find((c) => here.has(c));
    if (!primary) continue; // only released in companies not read this time: unchanged
    const p = here.get(primary)!;
    const language = (cfg.companies[primary]?.language ?? 'en-us').toLowerCase();
    const name = names.get(language)?.get(p.ProductNumber) || p.SearchName || item.trim();
    products.push({
      itemNumber: item,
      fields: {
        Name: name.slice(0, 255),
        ProductCode: item,
        D365_Item_Number__c: item,
        D365_Unit__c: p.SalesUnitSymbol,
        D365_Product_Type__c: String(p.ProductType),
        D365_Companies__c: companies.join(';'),
        IsActive: true,
      },
    });

    // Standard prices first: per currency, from the first company with a price in it.
    const standardDone = new Set<string>();
    const groupEntries: PriceRecord[] = [];
    for (const company of companies) {
      const rp = here.get(company);
      const catalogue = catalogues.find((c) => c.company === company);
      if (!rp || !catalogue) continue;
      const baseCurrency = cfg.companies[company]!.currency;
      const agreements = catalogue.agreements.get(item) ?? [];
      for (const currency of currenciesOf(cfg, company, s.multiCurrency)) {
        const entry = (book: string, unitPrice: number): PriceRecord => ({
          key: priceKey(book, currency, item),
          itemNumber: item,
          company,
          book,
          currency,
          unitPrice,
        });
        const price = listPrice(agreements, rp, currency, { today: s.today, baseCurrency });
        if (price !== undefined) {
          if (!standardDone.has(currency)) {
            standardDone.add(currency);
            prices.push(entry('', price));
          }
          const book = priceBookName(s.priceBooks, company, currency);
          if (book) prices.push(entry(book, price));
        }
        for (const group of cfg.companies[company]!.priceGroups ?? []) {
          const groupPrice = listPrice(agreements, rp, currency, {
            today: s.today,
            baseCurrency,
            customerGroup: group,
          });
          if (groupPrice !== undefined)
            groupEntries.push(entry(groupPriceBookName(s.priceBooks, company, group, currency), groupPrice));
        }
      }
    }
    // A group price in a currency without a list price anywhere has no standard entry to stand
    // on (Salesforce: STANDARD_PRICE_NOT_DEFINED): it waits until the item has a list price.
    prices.push(...groupEntries.filter((e) => standardDone.has(e.currency)));
  }
  // Standard entries sort before custom ones: Salesforce refuses a custom one without it.
  prices.sort((a, b) => (a.book === '' ? 0 : 1) - (b.book === '' ? 0 : 1));

  const wanted = new Set(prices.map((p) => p.key));
  const staleEntries = Object.entries(previous.prices)
    .filter(([key, v]) => read.has(v.company) && !wanted.has(key))
    .map(([key]) => key);
  return { products, prices, deactivate, staleEntries };
}

/** The content hash of what a product or price record writes. */
export const productHash = (p: ProductRecord): string => hashOf(p.fields);
export const priceHash = (p: PriceRecord): string => hashOf([p.unitPrice, true]);
