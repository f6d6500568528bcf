/**
 * Flow 3: won Opportunity → F&O sales order: one `SalesOrderHeadersV2` body plus one `SalesOrderLines`
 * body per product (reference d365.md §1.3–1.4), sent by the flow as one atomic `$batch` changeset.
 *
 * Create-once: the header carries `CustomersOrderReference` = Opportunity Id, the correlation key a retry
 * looks up before creating again. The order number is proxy-assigned (`orders.numbering`): the flow adds
 * the same explicit `SalesOrderNumber` to the header and every line of the changeset.
 *
 * Numbers: quantities, prices and discounts pass decimal rules (docs/mapping.md "Numbers") and reach F&O
 * as exact JSON numbers; a value with more decimals than allowed is rejected by default, never silently
 * rounded.
 */
import type { BridgeConfig, CompanyConfig } from './bridge-config.js';
import { normaliseRoutingValue } from './bridge-config.js';
import { recordCurrency } from './currency.js';
import { fnoDateOnly, salesforceDate } from './dates.js';
import {
  Decimal,
  FNO_REAL,
  checkDecimal,
  describeFailure,
  fitsFnoReal,
  toDecimal,
  type DecimalRule,
} from './decimals.js';
import { extraFieldValues, type FnoScalar } from './extra-fields.js';
import { fnoTextBody } from './fno-text.js';
import {
  OpportunityRecord,
  readText,
  valueAt,
  type OpportunityLineItemRecord,
  type ReadOptions,
} from './records.js';
import { isRejection, reject, type MapResult, type MappingWarning, type Rejection } from './result.js';
import { parentCustomerAccount } from './parent.js';
import { parseAndRoute, readThenMap } from './routing.js';

export type SalesOrderHeaderBody = Record<string, FnoScalar>;
export type SalesOrderLineBody = Record<string, FnoScalar>;

export interface SalesOrder {
  header: SalesOrderHeaderBody;
  /** In Salesforce's line order (SortOrder). */
  lines: SalesOrderLineBody[];
}

export interface SalesOrderIdentity {
  /** The Opportunity Id. */
  salesforceId: string;
  company: string;
  /** Ordering and invoice customer (`Account.D365_Customer_Number__c`). */
  customerAccount: string;
  /** Look up `SalesOrderHeadersV2?$filter=dataAreaId eq '…' and CustomersOrderReference eq '…'` before a retry. */
  correlation: { dataAreaId: string; field: 'CustomersOrderReference'; value: string };
  /** `D365_Sales_Order_Number__c` when the order was already created (nothing to do but write-back). */
  salesOrderNumber: string | undefined;
  /** OpportunityLineItem Ids, index-aligned with `entity.lines`. */
  lineIds: string[];
  /** Σ quantity × price × (1 − discount %), as a decimal string rounded to 2 places (for reconciliation). */
  expectedTotal: string;
  version: string | undefined;
}

/** Header + lines in one changeset; F&O allows 5,000 operations per batch (d365.md §2). */
export const MAX_ORDER_LINES = 4999;

/** A won Opportunity read once per job: parsed and routed to its company through its Account. */
export interface OpportunityToSync {
  ok: true;
  opportunity: OpportunityRecord;
  company: string;
  companyCfg: CompanyConfig;
}

/** Parses an Opportunity, refuses one not won, routes it; the mapper takes the result. */
export function readOpportunity(
  input: unknown,
  cfg: BridgeConfig,
  opts: ReadOptions = {},
): OpportunityToSync | Rejection {
  const routed = parseAndRoute(OpportunityRecord, 'Opportunity', input, cfg, opts, (opportunity) =>
    opportunity.IsWon === false
      ? reject(
          'OPPORTUNITY_NOT_WON',
          `The Opportunity is not won (stage "${opportunity.StageName ?? ''}"); only won deals become sales orders.`,
          'IsWon',
        )
      : opportunity,
  );
  if (isRejection(routed)) return routed;
  return {
    ok: true,
    opportunity: routed.record,
    company: routed.company,
    companyCfg: routed.companyCfg,
  };
}

export const mapOpportunityToSalesOrder = readThenMap(readOpportunity, salesOrderFrom);

/** The header and lines of the sales order for a won Opportunity, or why it cannot be one. */
export function salesOrderFrom(
  read: OpportunityToSync,
  cfg: BridgeConfig,
  opts: ReadOptions = {},
): MapResult<SalesOrder, SalesOrderIdentity> {
  const { opportunity, company, companyCfg } = read;

  const customer = parentCustomerAccount(opportunity, {
    ...opts,
    objectType: 'Opportunity',
    retried: 'the order',
  });
  if (isRejection(customer)) return customer;

  const currency = recordCurrency(opportunity.CurrencyIsoCode, company, companyCfg);
  if (isRejection(currency)) return currency;

  const header: SalesOrderHeaderBody = {
    dataAreaId: company,
    OrderingCustomerAccountNumber: customer.value,
    InvoiceCustomerAccountNumber: customer.value,
    CurrencyCode: currency,
    CustomersOrderReference: opportunity.Id,
  };
  if (cfg.orders.requestedDates === 'closeDate') {
    const date = readDate(opportunity.CloseDate, 'CloseDate', true);
    if (isRejection(date)) return date;
    header.RequestedShippingDate = fnoDateOnly(date!);
    header.RequestedReceiptDate = fnoDateOnly(date!);
  }
  if (companyCfg.site) header.DefaultShippingSiteId = companyCfg.site;
  if (companyCfg.warehouse) header.DefaultShippingWarehouseId = companyCfg.warehouse;
  if (companyCfg.deliveryMode) header.DeliveryModeCode = companyCfg.deliveryMode;
  if (companyCfg.deliveryTerms) header.DeliveryTermsCode = companyCfg.deliveryTerms;
  if (companyCfg.language) header.LanguageId = companyCfg.language;
  const headerExtra = extraFieldValues(opportunity, cfg.orders.headerExtraFields, opts);
  if (isRejection(headerExtra)) return headerExtra;
  Object.assign(header, headerExtra);
  const checkedHeader = fnoTextBody(header, { source: (f) => cfg.orders.headerExtraFields[f] });
  if (isRejection(checkedHeader)) return checkedHeader;

  const items = opportunity.OpportunityLineItems;
  const records = items?.records ?? [];
  if (records.length === 0) {
    return reject(
      'NO_LINE_ITEMS',
      'The Opportunity has no products; add products before closing it as won.',
      'OpportunityLineItems',
    );
  }
  if (items?.done === false || (items?.totalSize !== undefined && items.totalSize !== records.length)) {
    return reject(
      'INVALID_FIELD',
      `Only ${records.length} of ${items?.totalSize ?? '?'} products were sent (the sub-query was not complete); the order is not created from part of it.`,
      'OpportunityLineItems',
    );
  }
  if (records.length > MAX_ORDER_LINES) {
    return reject(
      'TOO_MANY_LINES',
      `The Opportunity has ${records.length} products; one F&O changeset takes at most ${MAX_ORDER_LINES} lines.`,
      'OpportunityLineItems',
    );
  }

  const warnings: MappingWarning[] = [];
  const lines: SalesOrderLineBody[] = [];
  let total = new Decimal(0);
  for (const [index, item] of records.entries()) {
    const mapped = mapLine(item, index, cfg, company, currency, opts, warnings);
    if (isRejection(mapped)) return mapped;
    lines.push(mapped.line);
    total = total.plus(mapped.amount);
  }

  const expectedTotal = total.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  if (!fitsFnoReal(expectedTotal)) {
    return reject(
      'INVALID_AMOUNT',
      `The products add up to ${expectedTotal.toString()}, more than an F&O order total can hold (at most ${FNO_REAL.integerDigits} digits before the decimal point).`,
      'OpportunityLineItems',
    );
  }
  const amount = toDecimal(opportunity.Amount);
  if (
    cfg.orders.checkTotal &&
    amount &&
    !amount.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).equals(expectedTotal)
  ) {
    warnings.push({
      code: 'ORDER_TOTAL_MISMATCH',
      field: 'Amount',
      message: `The products add up to ${expectedTotal.toFixed(2)} but the Opportunity Amount is ${amount.toString()}; F&O prices the order from its lines.`,
    });
  }

  const existing = readText(opportunity, 'D365_Sales_Order_Number__c', opts);
  if (isRejection(existing)) return existing;
  return {
    ok: true,
    company,
    entity: { header: checkedHeader, lines },
    identity: {
      salesforceId: opportunity.Id,
      company,
      customerAccount: customer.value,
      correlation: { dataAreaId: company, field: 'CustomersOrderReference', value: opportunity.Id },
      salesOrderNumber: existing.value,
      lineIds: records.map((r) => r.Id),
      expectedTotal: expectedTotal.toFixed(2),
      version: opportunity.SystemModstamp ?? undefined,
    },
    warnings,
  };
}

function readDate(
  value: string | null | undefined,
  field: string,
  required: boolean,
): string | undefined | Rejection {
  if (!value?.trim()) {
    return required
      ? reject('MISSING_REQUIRED_FIELD', `${field} is required for the requested delivery date.`, field)
      : undefined;
  }
  const date = salesforceDate(value);
  return date ?? reject('INVALID_DATE', `${field} "${value}" is not a valid date (YYYY-MM-DD).`, field);
}

function mapLine(
  item: OpportunityLineItemRecord,
  index: number,
  cfg: BridgeConfig,
  company: string,
  currency: string,
  opts: ReadOptions,
  warnings: MappingWarning[],
): { line: SalesOrderLineBody; amount: Decimal } | Rejection {
  const at = `OpportunityLineItems.records[${index}]`;
  const companyCfg = cfg.companies[company]!;
  const product = valueAt(item, ['Product2']);
  const productName = typeof item.Product2?.Name === 'string' ? ` (${item.Product2.Name})` : '';

  // The item number flow 4 wrote, exactly: ' RFI-TEST-001' is a real F&O item number.
  const fromItemNumber = readText(product, 'D365_Item_Number__c', {
    ...opts,
    label: `${at}.Product2`,
    exact: true,
  });
  if (isRejection(fromItemNumber)) return fromItemNumber;
  const fromProductCode = readText(product, 'ProductCode', {});
  if (isRejection(fromProductCode)) return fromProductCode;
  const fromLineCode = readText(item, 'ProductCode', {});
  if (isRejection(fromLineCode)) return fromLineCode;
  const itemNumber = fromItemNumber.value ?? fromProductCode.value ?? fromLineCode.value;
  if (!itemNumber) {
    return reject(
      'MISSING_REQUIRED_FIELD',
      `Product ${index + 1}${productName} has neither an F&O item number nor a product code.`,
      fromItemNumber.field,
    );
  }

  const orders = cfg.orders;
  const quantityRule: DecimalRule = {
    places: orders.quantityDecimals,
    excess: orders.excessDecimals,
    min: 'positive',
  };
  const priceRule: DecimalRule = {
    places: orders.priceDecimals,
    excess: orders.excessDecimals,
    min: 'nonNegative',
  };
  const discountRule: DecimalRule = {
    places: orders.discountDecimals,
    excess: orders.excessDecimals,
    min: 'nonNegative',
    max: 100,
  };

  if (item.Quantity === undefined || item.Quantity === null) {
    return reject(
      'MISSING_REQUIRED_FIELD',
      `Product ${index + 1}${productName} has no quantity.`,
      `${at}.Quantity`,
    );
  }
  const quantity = checkDecimal(item.Quantity, quantityRule);
  if (!quantity.ok) {
    return reject(
      'INVALID_QUANTITY',
      `Quantity of product ${index + 1}${productName}: ${describeFailure(quantity.failure, quantityRule, item.Quantity)}.`,
      `${at}.Quantity`,
    );
  }
  if (item.UnitPrice === undefined || item.UnitPrice === null) {
    return reject(
      'MISSING_REQUIRED_FIELD',
      `Product ${index + 1}${productName} has no sales price.`,
      `${at}.UnitPrice`,
    );
  }
  const price = checkDecimal(item.UnitPrice, priceRule);
  if (!price.ok) {
    return reject(
      'INVALID_PRICE',
      `Sales price of product ${index + 1}${productName}: ${describeFailure(price.failure, priceRule, item.UnitPrice)}.`,
      `${at}.UnitPrice`,
    );
  }

  const line: SalesOrderLineBody = {
    dataAreaId: company,
    ItemNumber: itemNumber,
    OrderedSalesQuantity: quantity.value,
    SalesPrice: price.value,
    CurrencyCode: currency,
  };
  let amount = quantity.decimal.times(price.decimal);
  if (item.Discount !== undefined && item.Discount !== null) {
    const discount = checkDecimal(item.Discount, discountRule);
    if (!discount.ok) {
      return reject(
        'INVALID_DISCOUNT',
        `Discount of product ${index + 1}${productName}: ${describeFailure(discount.failure, discountRule, item.Discount)} (a percentage from 0 to 100).`,
        `${at}.Discount`,
      );
    }
    line.LineDiscountPercentage = discount.value;
    amount = amount.times(new Decimal(100).minus(discount.decimal)).dividedBy(100);
  }
  // F&O computes the line amount from quantity and price: it must fit an amount field too.
  if (!fitsFnoReal(amount.toDecimalPlaces(FNO_REAL.scale, Decimal.ROUND_HALF_UP))) {
    return reject(
      'INVALID_AMOUNT',
      `Product ${index + 1}${productName}: quantity ${quantity.decimal.toString()} × price ${price.decimal.toString()} is more than an F&O line amount can hold (at most ${FNO_REAL.integerDigits} digits before the decimal point).`,
      `${at}.Quantity`,
    );
  }

  const unitText = readText(product, 'QuantityUnitOfMeasure', {});
  if (isRejection(unitText)) return unitText;
  if (unitText.value) {
    const unit = orders.unitMap[normaliseRoutingValue(unitText.value)];
    if (unit) line.SalesUnitSymbol = unit;
    else {
      warnings.push({
        code: 'UNIT_NOT_MAPPED',
        field: `${at}.Product2.QuantityUnitOfMeasure`,
        message: `Unit "${unitText.value}" of product ${index + 1} is not in orders.unitMap; F&O uses the item's sales unit.`,
      });
    }
  }
  if (companyCfg.site) line.ShippingSiteId = companyCfg.site;
  if (companyCfg.warehouse) line.ShippingWarehouseId = companyCfg.warehouse;
  const serviceDate = readDate(item.ServiceDate, `${at}.ServiceDate`, false);
  if (isRejection(serviceDate)) return serviceDate;
  if (serviceDate) {
    line.RequestedShippingDate = fnoDateOnly(serviceDate);
    line.RequestedReceiptDate = fnoDateOnly(serviceDate);
  }
  const extra = extraFieldValues(item, orders.lineExtraFields, { ...opts, label: at });
  if (isRejection(extra)) return extra;
  Object.assign(line, extra);
  const itemField = fromItemNumber.value
    ? fromItemNumber.field
    : fromProductCode.value
      ? `${at}.Product2.ProductCode`
      : `${at}.ProductCode`;
  const checked = fnoTextBody(line, {
    label: `Product ${index + 1}`,
    source: (f) =>
      orders.lineExtraFields[f]
        ? `${at}.${orders.lineExtraFields[f]}`
        : f === 'ItemNumber'
          ? itemField
          : undefined,
  });
  if (isRejection(checked)) return checked;
  return { line: checked, amount };
}
