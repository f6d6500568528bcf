/**
 * Reads one company's catalogue from F&O on the governor's `bulk` lane (background work: it
 * yields to reps and orders): released products, their names in the company's language, and the
 * sales price agreements. Each read selects only the fields the mapping uses and follows
 * `@odata.nextLink` page by page.
 */
import { eq, type D365Client } from '../../d365/index.js';
import type { BasePrice, PriceAgreement } from './prices.js';

export interface ReleasedProduct extends BasePrice {
  ItemNumber: string;
  ProductNumber: string;
  SearchName: string;
  ProductType: string;
  SalesUnitSymbol: string;
  ProductLifecycleStateId: string;
}

export interface CompanyCatalogue {
  company: string;
  products: ReleasedProduct[];
  /** ItemNumber → its agreements. */
  agreements: Map<string, PriceAgreement[]>;
  /** F&O requests made (pages read). */
  requests: number;
}

export const PRODUCT_FIELDS = [
  'ItemNumber',
  'ProductNumber',
  'SearchName',
  'ProductType',
  'SalesUnitSymbol',
  'SalesPrice',
  'SalesPriceQuantity',
  'ProductLifecycleStateId',
] as const;

export const PRICE_FIELDS = [
  'ItemNumber',
  'PriceCurrencyCode',
  'Price',
  'SalesPriceQuantity',
  'FromQuantity',
  'ToQuantity',
  'PriceApplicableFromDate',
  'PriceApplicableToDate',
  'CustomerAccountNumber',
  'PriceCustomerGroupCode',
] as const;

const NAME_FIELDS = ['ProductNumber', 'ProductName'] as const;

/** F&O language ids are lower case (`en-us`); the mapping may write `en-US`. */
export const fnoLanguage = (language: string | undefined): string => (language ?? 'en-us').toLowerCase();

type Query = NonNullable<Parameters<D365Client['odata']['query']>[1]>;

/** Every page of a query on the `bulk` lane; resolves to the number of requests made. */
async function eachRow<T>(
  d365: D365Client,
  entity: string,
  q: Query,
  each: (row: T) => void,
  signal?: AbortSignal,
): Promise<number> {
  let requests = 0;
  const options: Query = { ...q, lane: 'bulk', ...(signal ? { signal } : {}) };
  for await (const page of d365.odata.query<T>(entity, options).pages()) {
    requests += 1;
    for (const row of page.rows) each(row);
  }
  return requests;
}

/** Product names in one language (ProductNumber → name): shared by all companies, so read once. */
export async function readNames(
  d365: D365Client,
  language: string,
  signal?: AbortSignal,
): Promise<{ names: Map<string, string>; requests: number }> {
  const names = new Map<string, string>();
  const requests = await eachRow<{ ProductNumber: string; ProductName: string }>(
    d365,
    'ProductTranslations',
    { filter: eq('LanguageId', language), select: NAME_FIELDS },
    (r) => names.set(r.ProductNumber, r.ProductName),
    signal,
  );
  return { names, requests };
}

export async function readCatalogue(
  d365: D365Client,
  company: string,
  signal?: AbortSignal,
): Promise<CompanyCatalogue> {
  const out: CompanyCatalogue = { company, products: [], agreements: new Map(), requests: 0 };
  out.requests += await eachRow<ReleasedProduct>(
    d365,
    'ReleasedProductsV2',
    { company, select: PRODUCT_FIELDS },
    (r) => out.products.push(r),
    signal,
  );
  out.requests += await eachRow<PriceAgreement>(
    d365,
    'SalesPriceAgreements',
    { company, select: PRICE_FIELDS },
    (r) => {
      const list = out.agreements.get(r.ItemNumber);
      if (list) list.push(r);
      else out.agreements.set(r.ItemNumber, [r]);
    },
    signal,
  );
  return out;
}
