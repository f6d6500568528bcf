/**
 * A product catalogue for the products flow and its benchmark: `count` released products in
 * each company, names in two languages, "all customers" price agreements in each currency, a
 * customer-group price, a future price, a quantity break, and the awkward ones: item numbers
 * with a leading space, an apostrophe, non-ASCII letters, 20+ characters, and a product with no
 * price at all. Rows for `control.putRows`, so a test seeds exactly what it asserts on.
 */
import type { Row } from './entities/schema.js';

export interface CatalogOptions {
  companies?: readonly string[];
  currencies?: readonly string[];
  /** Generated products per company (besides the awkward ones). */
  count?: number;
}

export interface Catalog {
  ReleasedProductsV2: Row[];
  ProductTranslations: Row[];
  SalesPriceAgreements: Row[];
}

export const AWKWARD_ITEMS = [
  ' RFI-TEST-001',
  "O'BRIEN-CHAIR",
  'KÄSE-ÜBER-ÅL-Ø',
  'LONG-ITEM-NUMBER-020',
] as const;
export const NO_PRICE_ITEM = 'NO-PRICE-01';

const FROM = '2025-01-01T12:00:00Z';
const EMPTY_DATE = '1900-01-01T12:00:00Z';

/** The list price of generated item `i` in `currency` (EUR = 0.9 × USD, rounded to cents). */
export function catalogPrice(i: number, currency: string): number {
  const usd = 10 + ((i * 37) % 990) + 0.45;
  return currency === 'USD' ? usd : Math.round(usd * 90) / 100;
}

export function productCatalog(opts: CatalogOptions = {}): Catalog {
  const companies = opts.companies ?? ['usmf', 'usrt'];
  const currencies = opts.currencies ?? ['USD', 'EUR'];
  const count = opts.count ?? 1000;
  const out: Catalog = { ReleasedProductsV2: [], ProductTranslations: [], SalesPriceAgreements: [] };
  let recId = 5637200000;
  const items: Array<{ item: string; i: number }> = [
    ...AWKWARD_ITEMS.map((item, k) => ({ item, i: 900_000 + k })),
    { item: NO_PRICE_ITEM, i: -1 },
    ...Array.from({ length: count }, (_, k) => ({ item: `P${String(k + 1).padStart(6, '0')}`, i: k + 1 })),
  ];
  for (const { item, i } of items) {
    out.ProductTranslations.push(
      { ProductNumber: item, LanguageId: 'en-us', ProductName: `Product ${item.trim()}` },
      { ProductNumber: item, LanguageId: 'de', ProductName: `Produkt ${item.trim()}` },
    );
    for (const company of companies) {
      out.ReleasedProductsV2.push({
        dataAreaId: company,
        ItemNumber: item,
        ProductNumber: item,
        SearchName: item.trim().slice(0, 20),
        ProductType: i % 10 === 0 ? 'Service' : 'Item',
        ProductSubType: 'Product',
        SalesUnitSymbol: i % 10 === 0 ? 'hr' : 'pcs',
        // Without an agreement the released product's base price applies; the no-price item has neither.
        SalesPrice: i < 0 ? 0 : catalogPrice(i, 'USD'),
        SalesPriceQuantity: 1,
        ProductLifecycleStateId: '',
      });
      if (i < 0) continue;
      for (const currency of currencies) {
        const agreement = (fields: Row): Row => ({
          dataAreaId: company,
          RecordId: recId++,
          ItemNumber: item,
          ProductNumber: item,
          PriceCurrencyCode: currency,
          Price: catalogPrice(i, currency),
          SalesPriceQuantity: 1,
          QuantityUnitySymbol: 'pcs',
          FromQuantity: 0,
          ToQuantity: 0,
          PriceApplicableFromDate: FROM,
          PriceApplicableToDate: EMPTY_DATE,
          CustomerAccountNumber: '',
          PriceCustomerGroupCode: '',
          WillSearchContinue: 'No',
          ...fields,
        });
        out.SalesPriceAgreements.push(agreement({}));
        if (i % 50 === 1) {
          // Noise the list price must ignore: a group price, a quantity break, a future price.
          out.SalesPriceAgreements.push(
            agreement({ PriceCustomerGroupCode: '10', Price: catalogPrice(i, currency) - 1 }),
            agreement({ FromQuantity: 10, Price: catalogPrice(i, currency) - 2 }),
            agreement({ PriceApplicableFromDate: '2099-01-01T12:00:00Z', Price: 1 }),
          );
        }
      }
    }
  }
  return out;
}
