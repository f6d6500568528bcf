/** The list price rules of flow 4 (pure): which trade agreement a price book entry carries. */
import { describe, expect, it } from 'vitest';
import { listPrice, type PriceAgreement } from '../../src/flows/products/prices.js';
import { csvDate } from '../../src/flows/products/read-fno.js';

const EMPTY = '1900-01-01T12:00:00Z';
const agreement = (fields: Partial<PriceAgreement>): PriceAgreement => ({
  ItemNumber: 'A0001',
  PriceCurrencyCode: 'USD',
  Price: 100,
  SalesPriceQuantity: 1,
  FromQuantity: 0,
  ToQuantity: 0,
  PriceApplicableFromDate: '2025-01-01T12:00:00Z',
  PriceApplicableToDate: EMPTY,
  CustomerAccountNumber: '',
  PriceCustomerGroupCode: '',
  ...fields,
});
const opts = { today: '2026-03-02', baseCurrency: 'USD' };
const base = { SalesPrice: 80, SalesPriceQuantity: 1 };

describe('listPrice', () => {
  it('takes the all-customers agreement of the currency, not a group, customer or quantity break', () => {
    const rows = [
      agreement({ PriceCustomerGroupCode: '10', Price: 90 }),
      agreement({ CustomerAccountNumber: 'US-001', Price: 85 }),
      agreement({ FromQuantity: 10, Price: 70 }),
      agreement({ PriceCurrencyCode: 'EUR', Price: 92 }),
      agreement({}),
    ];
    expect(listPrice(rows, base, 'USD', opts)).toBe(100);
    expect(listPrice(rows, base, 'EUR', opts)).toBe(92);
  });

  it('a configured price group wins over all customers', () => {
    const rows = [agreement({}), agreement({ PriceCustomerGroupCode: '10', Price: 90 })];
    expect(listPrice(rows, base, 'USD', { ...opts, customerGroup: '10' })).toBe(90);
  });

  it('a price group matches whatever its case (F&O ids are case-insensitive); another group falls back to the list price', () => {
    const rows = [agreement({}), agreement({ PriceCustomerGroupCode: 'RETAIL', Price: 95 })];
    expect(listPrice(rows, base, 'USD', { ...opts, customerGroup: 'retail' })).toBe(95);
    expect(listPrice(rows, base, 'USD', { ...opts, customerGroup: 'WHOLESALE' })).toBe(100);
  });

  it('only agreements valid today; among several, the one that started last', () => {
    const rows = [
      agreement({ PriceApplicableFromDate: '2099-01-01T12:00:00Z', Price: 1 }),
      agreement({ PriceApplicableToDate: '2026-01-31T12:00:00Z', Price: 2 }),
      agreement({ PriceApplicableFromDate: EMPTY, Price: 3 }),
      agreement({ PriceApplicableFromDate: '2026-02-01T12:00:00Z', Price: 4 }),
    ];
    expect(listPrice(rows, base, 'USD', opts)).toBe(4);
  });

  it('a price per 100 units becomes a unit price, to the cent', () => {
    expect(listPrice([agreement({ Price: 1234.5, SalesPriceQuantity: 100 })], base, 'USD', opts)).toBe(12.35);
  });

  it('without an agreement: the base SalesPrice, in the company currency only; else no price', () => {
    expect(listPrice([], base, 'USD', opts)).toBe(80);
    expect(listPrice([], base, 'EUR', opts)).toBeUndefined();
    expect(listPrice([], { SalesPrice: 0, SalesPriceQuantity: 1 }, 'USD', opts)).toBeUndefined();
  });
});

describe('exported price dates', () => {
  it('reads exported dates in ISO 8601 or en-US form, and refuses to guess any other', () => {
    expect(csvDate('2025-01-01T12:00:00Z')).toBe('2025-01-01T12:00:00Z');
    expect(csvDate('3/7/2026 12:00:00 AM')).toBe('2026-03-07T12:00:00Z');
    expect(csvDate('')).toBe('');
    expect(() => csvDate('07.03.2026')).toThrow(/neither ISO 8601 nor M\/D\/YYYY/);
  });
});
