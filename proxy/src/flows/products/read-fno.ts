/**
 * Reads one company's catalogue from F&O on the governor's `bulk` lane (background work: it
 * yields to reps and orders): released products, their names in the company's language, and the
 * sales price agreements. Each read selects only the fields the mapping uses and follows
 * `@odata.nextLink` page by page — or, for a company with more released products than
 * `PRODUCTS_EXPORT_THRESHOLD` when an export data project is configured, runs that project
 * (a DMF export: a handful of requests whatever the size, exempt from service protection) and
 * reads its package (docs/flows.md, "Large catalogues").
 */
import { D365ProtocolError, eq, ExportedPackage, isD365Error, type D365Client } from '../../d365/index.js';
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
  /** F&O requests made (pages read; or the count, the export's start, polls and package URL). */
  requests: number;
  /** How the rows were read. */
  via: 'odata' | 'export';
  /** An export was tried and failed, so the rows were paged instead. */
  exportFailed?: boolean;
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

const addAgreement = (out: CompanyCatalogue, r: PriceAgreement): void => {
  const list = out.agreements.get(r.ItemNumber);
  if (list) list.push(r);
  else out.agreements.set(r.ItemNumber, [r]);
};

export async function readCatalogue(
  d365: D365Client,
  company: string,
  signal?: AbortSignal,
): Promise<CompanyCatalogue> {
  const out: CompanyCatalogue = { company, products: [], agreements: new Map(), requests: 0, via: 'odata' };
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
    (r) => addAgreement(out, r),
    signal,
  );
  return out;
}

// ── through a data package ─────────────────────────────────────────────────────────────────

/** The names an export package's manifest may give the two entities (label first). */
const PRODUCTS_ENTITY = ['Released products V2', 'EcoResReleasedProductV2Entity', 'ReleasedProductsV2'];
const PRICES_ENTITY = [
  'Sales price agreements',
  'PriceDiscTableSalesPriceAgreementEntity',
  'SalesPriceAgreements',
];

function csvNumber(value: string, field: string): number {
  if (value.trim() === '') return 0;
  const n = Number(value);
  if (!Number.isFinite(n))
    throw new D365ProtocolError(`exported ${field} '${value}' is not a number (expected 1234.5)`);
  return n;
}

/**
 * An exported date as the ISO form OData gives (the price rules compare its first 10 characters).
 * The CSV data source's date format is configurable in F&O: ISO 8601 and the en-US
 * `M/D/YYYY h:mm:ss AM` form are read; anything else is refused rather than guessed.
 */
export function csvDate(value: string): string {
  const v = value.trim();
  if (v === '' || /^\d{4}-\d{2}-\d{2}/.test(v)) return v;
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})\b/.exec(v);
  if (us) return `${us[3]}-${us[1]!.padStart(2, '0')}-${us[2]!.padStart(2, '0')}T12:00:00Z`;
  throw new D365ProtocolError(`exported date '${value}' is neither ISO 8601 nor M/D/YYYY`);
}

/** One company's catalogue from the export data project `project`. */
export async function readCatalogueByExport(
  d365: D365Client,
  company: string,
  project: string,
  signal?: AbortSignal,
): Promise<CompanyCatalogue> {
  const res = await d365.packages.exportPackage({
    definitionGroupId: project,
    legalEntityId: company,
    lane: 'bulk',
    ...(signal ? { signal } : {}),
  });
  const pkg = new ExportedPackage(res.zip);
  const out: CompanyCatalogue = {
    company,
    products: [],
    agreements: new Map(),
    requests: res.requests,
    via: 'export',
  };
  for (const r of pkg.rows(PRODUCTS_ENTITY, PRODUCT_FIELDS))
    out.products.push({
      ...r,
      SalesPrice: csvNumber(r.SalesPrice, 'SalesPrice'),
      SalesPriceQuantity: csvNumber(r.SalesPriceQuantity, 'SalesPriceQuantity'),
    });
  for (const r of pkg.rows(PRICES_ENTITY, PRICE_FIELDS))
    addAgreement(out, {
      ...r,
      Price: csvNumber(r.Price, 'Price'),
      SalesPriceQuantity: csvNumber(r.SalesPriceQuantity, 'SalesPriceQuantity'),
      FromQuantity: csvNumber(r.FromQuantity, 'FromQuantity'),
      ToQuantity: csvNumber(r.ToQuantity, 'ToQuantity'),
      PriceApplicableFromDate: csvDate(r.PriceApplicableFromDate),
      PriceApplicableToDate: csvDate(r.PriceApplicableToDate),
    });
  return out;
}

export interface ReadSettings {
  /** The export data project; undefined: always page OData. */
  exportProject: string | undefined;
  /** Released products of a company above which it is exported. */
  exportThreshold: number;
}

/**
 * One company's catalogue, by OData paging or, above the threshold, by export. The size is F&O's
 * `$count` of the company's released products (one request). A failed export is logged and the
 * company is paged instead: slower, but a run never concludes from a partial package.
 */
export async function readCompany(
  d365: D365Client,
  company: string,
  settings: ReadSettings,
  log: { warn(obj: object, msg?: string): void },
  signal?: AbortSignal,
): Promise<CompanyCatalogue> {
  if (!settings.exportProject) return readCatalogue(d365, company, signal);
  const size = await d365.odata.count('ReleasedProductsV2', {
    company,
    lane: 'bulk',
    ...(signal ? { signal } : {}),
  });
  let exportFailed = false;
  if (size > settings.exportThreshold) {
    try {
      const read = await readCatalogueByExport(d365, company, settings.exportProject, signal);
      return { ...read, requests: read.requests + 1 };
    } catch (err) {
      if (signal?.aborted || !isD365Error(err)) throw err;
      exportFailed = true;
      log.warn(
        { company, project: settings.exportProject, err: err.toJSON() },
        'product sync: the DMF export failed; reading the company by OData paging instead',
      );
    }
  }
  const read = await readCatalogue(d365, company, signal);
  return { ...read, requests: read.requests + 1, ...(exportFailed ? { exportFailed } : {}) };
}
