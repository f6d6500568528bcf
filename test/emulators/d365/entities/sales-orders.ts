/** SalesOrderHeadersV2 (§1.3) and SalesOrderLines (§1.4). */
import type { InfologLine } from '../odata/errors.js';
import { bumpFromExplicit } from './customers.js';
import { CURRENCIES, findIn, mustBeFilled, normaliseLanguage, notFound, num, pad, str } from './helpers.js';
import { DEFAULT_SITE, DEFAULT_WAREHOUSE, round } from './products.js';
import { loadSchema, toDateOnly, toDateTime, type Row } from './schema.js';
import type { EntityDef, WriteContext } from './types.js';

const HEADER_AOT = 'SalesOrderHeaderV2Entity';
const LINE_AOT = 'SalesOrderLineEntity';

export const salesOrderNumberFormat = (n: number): string => pad(n, 6);
export const lotIdFormat = (n: number): string => pad(n, 6);

export const salesOrderHeaders: EntityDef = {
  set: 'SalesOrderHeadersV2',
  typeName: 'SalesOrderHeaderV2',
  aotName: HEADER_AOT,
  tableLabel: 'Sales orders',
  tableName: 'SalesTable',
  schema: loadSchema('SalesOrderHeadersV2'),
  companyScoped: true,
  writable: true,
  navigation: {
    SalesOrderLines: {
      target: 'SalesOrderLines',
      multiple: true,
      on: [['SalesOrderNumber', 'SalesOrderNumber']],
    },
  },
  dmfNames: ['Sales order headers V2', HEADER_AOT, 'SalesOrderHeaderV2', 'SalesOrderHeadersV2'],
  describeKey: (row) => `Sales order: ${str(row, 'SalesOrderNumber')}`,

  onCreate(row, ctx) {
    const company = str(row, 'dataAreaId');
    if (!str(row, 'SalesOrderNumber'))
      row.SalesOrderNumber = ctx.store.nextNumber(company, 'salesOrder', salesOrderNumberFormat);
    else bumpFromExplicit(ctx, company, 'salesOrder', '', str(row, 'SalesOrderNumber'));
    const customer = findIn(
      ctx.store,
      'CustomersV3',
      company,
      'CustomerAccount',
      str(row, 'OrderingCustomerAccountNumber'),
    );
    if (!str(row, 'InvoiceCustomerAccountNumber')) {
      row.InvoiceCustomerAccountNumber =
        str(customer ?? {}, 'InvoiceAccount') || str(row, 'OrderingCustomerAccountNumber');
    }
    if (customer) {
      if (!str(row, 'CurrencyCode')) row.CurrencyCode = str(customer, 'SalesCurrencyCode');
      if (!str(row, 'SalesOrderName')) row.SalesOrderName = str(customer, 'OrganizationName');
      if (!str(row, 'DeliveryAddressName')) row.DeliveryAddressName = str(customer, 'OrganizationName');
      if (!str(row, 'PaymentTermsName')) row.PaymentTermsName = str(customer, 'PaymentTerms');
      if (!str(row, 'DeliveryAddressStreet')) {
        row.DeliveryAddressStreet = str(customer, 'AddressStreet');
        row.DeliveryAddressCity = str(customer, 'AddressCity');
        row.DeliveryAddressZipCode = str(customer, 'AddressZipCode');
        row.DeliveryAddressStateId = str(customer, 'AddressState');
        row.DeliveryAddressCountryRegionId = str(customer, 'AddressCountryRegionId');
        row.DeliveryAddressCountryRegionISOCode = str(customer, 'AddressCountryRegionISOCode');
      }
      if (!str(row, 'LanguageId')) row.LanguageId = str(customer, 'LanguageId');
    }
    row.LanguageId = normaliseLanguage(str(row, 'LanguageId') || 'en-US');
    // Observed (§1.3): requested dates default to today at 12:00:00Z; creation time is a real utcdatetime.
    const today = toDateOnly(ctx.now);
    if (str(row, 'RequestedShippingDate').startsWith('1900')) row.RequestedShippingDate = today;
    if (str(row, 'RequestedReceiptDate').startsWith('1900')) row.RequestedReceiptDate = today;
    row.OrderCreationDateTime = toDateTime(ctx.now);
    if (!str(row, 'CustomerPostingProfileId')) row.CustomerPostingProfileId = 'GEN';
  },

  validate(row, ctx, op, before) {
    const lines: InfologLine[] = [];
    const company = str(row, 'dataAreaId');
    const account = str(row, 'OrderingCustomerAccountNumber');
    if (!account) lines.push(...mustBeFilled('Customer account', 'SalesTable (SalesTable)'));
    else if (
      (op === 'create' || account !== before?.OrderingCustomerAccountNumber) &&
      !findIn(ctx.store, 'CustomersV3', company, 'CustomerAccount', account)
    ) {
      lines.push(
        ...notFound(account, 'Customer account', 'Customers', HEADER_AOT, 'OrderingCustomerAccountNumber'),
      );
    }
    const invoice = str(row, 'InvoiceCustomerAccountNumber');
    if (
      invoice &&
      invoice !== account &&
      !findIn(ctx.store, 'CustomersV3', company, 'CustomerAccount', invoice)
    ) {
      lines.push(
        ...notFound(invoice, 'Invoice account', 'Customers', HEADER_AOT, 'InvoiceCustomerAccountNumber'),
      );
    }
    const currency = str(row, 'CurrencyCode');
    if (!currency) lines.push(...mustBeFilled('Currency', 'SalesTable (SalesTable)'));
    else if (!CURRENCIES.has(currency.toUpperCase())) {
      lines.push(...notFound(currency, 'Currency', 'Currency', HEADER_AOT, 'CurrencyCode'));
    }
    return lines;
  },

  afterWrite(row, ctx, op) {
    // Deleting a header deletes its lines (delete actions cascade in F&O).
    if (op === 'delete') {
      for (const line of linesOf(ctx, row)) ctx.store.delete('SalesOrderLines', line);
    }
  },
};

export function linesOf(ctx: Pick<WriteContext, 'store'>, header: Row): Row[] {
  const company = str(header, 'dataAreaId').toLowerCase();
  return ctx.store
    .table('SalesOrderLines')
    .where('SalesOrderNumber', str(header, 'SalesOrderNumber'))
    .filter((l) => str(l, 'dataAreaId').toLowerCase() === company);
}

/** Keeps the header totals equal to the sum of its lines (F&O recalculates them on demand). */
function recalculateHeader(ctx: WriteContext, line: Row): void {
  const header = findIn(
    ctx.store,
    'SalesOrderHeadersV2',
    str(line, 'dataAreaId'),
    'SalesOrderNumber',
    str(line, 'SalesOrderNumber'),
  );
  if (!header) return;
  const total = linesOf(ctx, header).reduce((sum, l) => sum + num(l, 'LineAmount'), 0);
  ctx.store.put('SalesOrderHeadersV2', { ...header, OrderTotalAmount: round(total, 2) });
}

function lineAmount(row: Row): number {
  const priceUnit = num(row, 'SalesPriceQuantity') || 1;
  const gross = (num(row, 'OrderedSalesQuantity') * num(row, 'SalesPrice')) / priceUnit;
  const discounted =
    gross * (1 - num(row, 'LineDiscountPercentage') / 100) -
    num(row, 'LineDiscountAmount') * num(row, 'OrderedSalesQuantity');
  return round(discounted, 2);
}

/** Price lookup: customer-specific agreement, then customer-group agreement, then all-customers, then the item's base price. */
export function findPrice(
  ctx: Pick<WriteContext, 'store'>,
  company: string,
  item: string,
  customer: Row | undefined,
  date: string,
): number | undefined {
  const agreements = ctx.store
    .table('SalesPriceAgreements')
    .where('ItemNumber', item)
    .filter((a) => str(a, 'dataAreaId').toLowerCase() === company.toLowerCase())
    .filter(
      (a) =>
        str(a, 'PriceApplicableFromDate') <= date &&
        (str(a, 'PriceApplicableToDate').startsWith('1900') || str(a, 'PriceApplicableToDate') >= date),
    );
  const account = str(customer ?? {}, 'CustomerAccount').toLowerCase();
  const group = str(customer ?? {}, 'CustomerGroupId').toLowerCase();
  const pick =
    agreements.find((a) => account && str(a, 'CustomerAccountNumber').toLowerCase() === account) ??
    agreements.find((a) => group && str(a, 'PriceCustomerGroupCode').toLowerCase() === group) ??
    agreements.find((a) => !str(a, 'CustomerAccountNumber') && !str(a, 'PriceCustomerGroupCode'));
  return pick ? num(pick, 'Price') : undefined;
}

export const salesOrderLines: EntityDef = {
  set: 'SalesOrderLines',
  typeName: 'SalesOrderLine',
  aotName: LINE_AOT,
  tableLabel: 'Order lines',
  tableName: 'SalesLine',
  schema: loadSchema('SalesOrderLines'),
  companyScoped: true,
  writable: true,
  navigation: {
    SalesOrderHeaderV2: {
      target: 'SalesOrderHeadersV2',
      multiple: false,
      on: [['SalesOrderNumber', 'SalesOrderNumber']],
    },
  },
  dmfNames: ['Sales order lines V2', 'Sales order lines', LINE_AOT, 'SalesOrderLine', 'SalesOrderLines'],
  describeKey: (row) => `Lot ID: ${str(row, 'InventoryLotId')}`,

  onCreate(row, ctx, explicit) {
    const company = str(row, 'dataAreaId');
    if (!str(row, 'InventoryLotId')) row.InventoryLotId = ctx.store.nextNumber(company, 'lot', lotIdFormat);
    const header = findIn(
      ctx.store,
      'SalesOrderHeadersV2',
      company,
      'SalesOrderNumber',
      str(row, 'SalesOrderNumber'),
    );
    const product = findIn(ctx.store, 'ReleasedProductsV2', company, 'ItemNumber', str(row, 'ItemNumber'));
    if (header) {
      const existing = linesOf(ctx, header);
      if (!num(row, 'LineNumber'))
        row.LineNumber = existing.reduce((m, l) => Math.max(m, num(l, 'LineNumber')), 0) + 1;
      if (!num(row, 'LineCreationSequenceNumber')) {
        row.LineCreationSequenceNumber =
          existing.reduce((m, l) => Math.max(m, num(l, 'LineCreationSequenceNumber')), 0) + 1;
      }
      if (!str(row, 'CurrencyCode')) row.CurrencyCode = str(header, 'CurrencyCode');
      if (!str(row, 'ShippingSiteId')) row.ShippingSiteId = str(header, 'DefaultShippingSiteId');
      if (!str(row, 'ShippingWarehouseId'))
        row.ShippingWarehouseId = str(header, 'DefaultShippingWarehouseId');
      for (const d of ['RequestedShippingDate', 'RequestedReceiptDate']) {
        if (str(row, d).startsWith('1900')) row[d] = header[d];
      }
      if (!str(row, 'DeliveryAddressName')) row.DeliveryAddressName = str(header, 'DeliveryAddressName');
    }
    if (product) {
      if (!str(row, 'ShippingSiteId')) row.ShippingSiteId = str(product, DEFAULT_SITE);
      if (!str(row, 'ShippingWarehouseId') && str(row, 'ShippingSiteId') === str(product, DEFAULT_SITE)) {
        row.ShippingWarehouseId = str(product, DEFAULT_WAREHOUSE);
      }
      if (!str(row, 'SalesUnitSymbol')) row.SalesUnitSymbol = str(product, 'SalesUnitSymbol');
      if (!str(row, 'LineDescription')) row.LineDescription = str(product, 'SearchName');
      if (!explicit.has('SalesPrice')) {
        const customer = header
          ? findIn(
              ctx.store,
              'CustomersV3',
              company,
              'CustomerAccount',
              str(header, 'OrderingCustomerAccountNumber'),
            )
          : undefined;
        row.SalesPrice =
          findPrice(ctx, company, str(row, 'ItemNumber'), customer, toDateOnly(ctx.now)) ??
          num(product, 'SalesPrice');
      }
      if (!num(row, 'SalesPriceQuantity')) row.SalesPriceQuantity = num(product, 'SalesPriceQuantity') || 1;
    }
    if (!explicit.has('OrderedSalesQuantity')) row.OrderedSalesQuantity = 1;
    if (!num(row, 'SalesPriceQuantity')) row.SalesPriceQuantity = 1;
    if (!explicit.has('LineAmount')) row.LineAmount = lineAmount(row);
    if (!explicit.has('SalesOrderLineStatus')) row.SalesOrderLineStatus = 'Backorder';
  },

  validate(row, ctx, op, before) {
    const lines: InfologLine[] = [];
    const company = str(row, 'dataAreaId');
    const order = str(row, 'SalesOrderNumber');
    if (!order) return mustBeFilled('Sales order', 'SalesLine (SalesLine)');
    if (op === 'create' && !findIn(ctx.store, 'SalesOrderHeadersV2', company, 'SalesOrderNumber', order)) {
      lines.push(...notFound(order, 'Sales order', 'Sales orders', LINE_AOT, 'SalesOrderNumber'));
    }
    const item = str(row, 'ItemNumber');
    const product = item ? findIn(ctx.store, 'ReleasedProductsV2', company, 'ItemNumber', item) : undefined;
    if (!item) lines.push(...mustBeFilled('Item number', 'SalesLine (SalesLine)'));
    else if (!product) lines.push(...notFound(item, 'Item number', 'Items', LINE_AOT, 'ItemNumber'));
    if (lines.length) return lines;
    // Storage dimension group decides which dimensions are mandatory (§3 "Inventory dimension Site is mandatory").
    const group = str(product!, 'StorageDimensionGroupName');
    const needsSite = group === 'Site' || group === 'SiteWH' || group === 'SiteWHLoc';
    const needsWarehouse = group === 'SiteWH' || group === 'SiteWHLoc';
    if (needsSite && !str(row, 'ShippingSiteId')) {
      return [
        'Warning: Inventory dimension Site is mandatory and must consequently be specified',
        'Error: Update has been canceled.',
      ];
    }
    if (needsWarehouse && !str(row, 'ShippingWarehouseId')) {
      return [
        'Warning: Inventory dimension Warehouse is mandatory and must consequently be specified',
        'Error: Update has been canceled.',
      ];
    }
    if (
      op === 'update' &&
      before &&
      (row.OrderedSalesQuantity !== before.OrderedSalesQuantity || row.SalesPrice !== before.SalesPrice) &&
      row.LineAmount === before.LineAmount
    ) {
      row.LineAmount = lineAmount(row);
    }
    return lines;
  },

  afterWrite(row, ctx) {
    recalculateHeader(ctx, row);
  },
};
