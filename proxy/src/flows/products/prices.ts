/**
 * The list price of an item in a currency, from F&O's sales trade agreements
 * (`SalesPriceAgreements`), as a price book holds it: one price per product and currency.
 *
 * Rules: an "all customers" agreement (no customer account, no price group — or, when a price
 * group is configured, that group's agreement wins over the all-customers one), valid on the day
 * of the run (`PriceApplicableFromDate` ≤ today ≤ `PriceApplicableToDate`, where F&O's empty date
 * 1900-01-01 means open), for quantity 1 (`FromQuantity` ≤ 1 and `ToQuantity` > 1 or 0 = open):
 * a price book carries the quantity-1 price, quantity breaks stay in F&O. Among several, the one
 * that started last wins. The price is per `SalesPriceQuantity` units; the price book gets the
 * unit price. Without an agreement, the released product's base `SalesPrice` applies, in the
 * company's currency only (it has no currency of its own); no price at all → no entry.
 */

export interface PriceAgreement {
  ItemNumber: string;
  PriceCurrencyCode: string;
  Price: number;
  SalesPriceQuantity: number;
  FromQuantity: number;
  ToQuantity: number;
  PriceApplicableFromDate: string;
  PriceApplicableToDate: string;
  CustomerAccountNumber: string;
  PriceCustomerGroupCode: string;
}

export interface BasePrice {
  SalesPrice: number;
  SalesPriceQuantity: number;
}

/** F&O writes an empty date as 1900-01-01. */
const isOpen = (date: string): boolean => !date || date.startsWith('1900-01-01');

function applies(a: PriceAgreement, currency: string, today: string, group: string | undefined): boolean {
  if (a.PriceCurrencyCode.toUpperCase() !== currency) return false;
  if (a.CustomerAccountNumber) return false;
  // F&O compares price group ids case-insensitively.
  if (a.PriceCustomerGroupCode && a.PriceCustomerGroupCode.toLowerCase() !== group?.toLowerCase())
    return false;
  if ((a.FromQuantity ?? 0) > 1) return false;
  if ((a.ToQuantity ?? 0) !== 0 && a.ToQuantity <= 1) return false;
  if (!isOpen(a.PriceApplicableFromDate) && a.PriceApplicableFromDate.slice(0, 10) > today) return false;
  if (!isOpen(a.PriceApplicableToDate) && a.PriceApplicableToDate.slice(0, 10) < today) return false;
  return true;
}

const unitPrice = (price: number, per: number): number =>
  Math.round((price / (per > 0 ? per : 1)) * 100) / 100;

/**
 * The price of one unit in `currency` on `today` (YYYY-MM-DD), or undefined (no entry).
 * `baseCurrency` is the company's currency: the only one the base `SalesPrice` stands for.
 */
export function listPrice(
  agreements: readonly PriceAgreement[],
  base: BasePrice | undefined,
  currency: string,
  opts: { today: string; baseCurrency: string; customerGroup?: string | undefined },
): number | undefined {
  let best: PriceAgreement | undefined;
  const rank = (a: PriceAgreement): string =>
    `${a.PriceCustomerGroupCode ? 1 : 0}${isOpen(a.PriceApplicableFromDate) ? '' : a.PriceApplicableFromDate}`;
  for (const a of agreements) {
    if (!applies(a, currency, opts.today, opts.customerGroup)) continue;
    if (!best || rank(a) > rank(best)) best = a;
  }
  if (best) return unitPrice(best.Price, best.SalesPriceQuantity);
  if (base && currency === opts.baseCurrency && base.SalesPrice > 0)
    return unitPrice(base.SalesPrice, base.SalesPriceQuantity);
  return undefined;
}
