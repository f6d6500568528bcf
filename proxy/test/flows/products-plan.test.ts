/** Which price books a plan fills for a company's customer price groups (pure). */
import { describe, expect, it } from 'vitest';
import { parseBridgeConfig } from '../../src/mapping/index.js';
import { buildPlan, emptyState, type PlanSettings } from '../../src/flows/products/plan.js';
import type { PriceAgreement } from '../../src/flows/products/prices.js';
import type { CompanyCatalogue, ReleasedProduct } from '../../src/flows/products/read-fno.js';

const cfg = parseBridgeConfig(`{ "version": 1, "companies": {
  "usmf": { "customerGroup": "10", "currency": "USD", "currencies": ["USD", "EUR"], "priceGroups": ["RETAIL"] }
} }`);
const product = (item: string, price: number): ReleasedProduct => ({
  ItemNumber: item,
  ProductNumber: item,
  SearchName: item,
  ProductType: 'Item',
  SalesUnitSymbol: 'pcs',
  SalesPrice: price,
  SalesPriceQuantity: 1,
  ProductLifecycleStateId: '',
});
const agreement = (item: string, currency: string, price: number, group = ''): PriceAgreement => ({
  ItemNumber: item,
  PriceCurrencyCode: currency,
  Price: price,
  SalesPriceQuantity: 1,
  FromQuantity: 0,
  ToQuantity: 0,
  PriceApplicableFromDate: '2025-01-01T12:00:00Z',
  PriceApplicableToDate: '1900-01-01T12:00:00Z',
  CustomerAccountNumber: '',
  PriceCustomerGroupCode: group,
});
const catalogue: CompanyCatalogue = {
  company: 'usmf',
  via: 'odata',
  requests: 0,
  products: [product('A', 100), product('B', 0)],
  agreements: new Map([
    ['A', [agreement('A', 'USD', 100), agreement('A', 'USD', 90, 'retail'), agreement('A', 'EUR', 92)]],
    // B: a group price in EUR only, and no list price in EUR (nor a base price at all).
    ['B', [agreement('B', 'EUR', 40, 'RETAIL')]],
  ]),
};
const settings = (priceBooks: PlanSettings['priceBooks']): PlanSettings => ({
  priceBooks,
  stoppedStates: [],
  multiCurrency: true,
  today: '2026-03-02',
});
const entries = (priceBooks: PlanSettings['priceBooks']) =>
  buildPlan(cfg, [catalogue], new Map(), emptyState(), settings(priceBooks)).prices.map((p) => [
    p.book || 'Standard',
    p.currency,
    p.itemNumber,
    p.unitPrice,
  ]);

describe('customer price group price books', () => {
  it('one book per company and group: the group price, else the list price; none without a list price in that currency', () => {
    expect(entries('company')).toEqual([
      ['Standard', 'USD', 'A', 100],
      ['Standard', 'EUR', 'A', 92],
      ['F&O USMF', 'USD', 'A', 100],
      ['F&O USMF', 'EUR', 'A', 92],
      ['F&O USMF group RETAIL', 'USD', 'A', 90],
      ['F&O USMF group RETAIL', 'EUR', 'A', 92],
    ]);
  });

  it('per currency with company-currency books, and still with no company book at all', () => {
    expect(entries('company-currency').filter(([book]) => String(book).includes('group'))).toEqual([
      ['F&O USMF group RETAIL USD', 'USD', 'A', 90],
      ['F&O USMF group RETAIL EUR', 'EUR', 'A', 92],
    ]);
    expect(entries('none').map(([book]) => book)).toEqual([
      'Standard',
      'Standard',
      'F&O USMF group RETAIL',
      'F&O USMF group RETAIL',
    ]);
  });
});
