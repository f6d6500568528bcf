/** ReleasedProductsV2 (§1.5), SalesPriceAgreements (§1.6), WarehousesOnHandV2 (§1.7). */
import type { InfologLine } from '../odata/errors.js';
import { findIn, notFound, num, str } from './helpers.js';
import { loadSchema, type Row } from './schema.js';
import type { EntityDef } from './types.js';

/**
 * Hidden product fields (never emitted): default order settings that let a sales line default its
 * site/warehouse. Products created over OData have none, so their lines need an explicit site.
 */
export const DEFAULT_SITE = '__defaultSiteId';
export const DEFAULT_WAREHOUSE = '__defaultWarehouseId';

export const releasedProducts: EntityDef = {
  set: 'ReleasedProductsV2',
  typeName: 'ReleasedProductV2',
  aotName: 'EcoResReleasedProductV2Entity',
  tableLabel: 'Items',
  tableName: 'InventTable',
  schema: loadSchema('ReleasedProductsV2'),
  companyScoped: true,
  writable: true,
  navigation: {},
  dmfNames: [
    'Released products V2',
    'EcoResReleasedProductV2Entity',
    'ReleasedProductV2',
    'ReleasedProductsV2',
  ],
  describeKey: (row) => `Item number: ${str(row, 'ItemNumber')}`,

  onCreate(row) {
    const item = str(row, 'ItemNumber');
    if (!str(row, 'ProductNumber')) row.ProductNumber = item;
    if (!str(row, 'SearchName')) row.SearchName = item;
    if (!str(row, 'ProductSearchName')) row.ProductSearchName = str(row, 'SearchName');
    if (row.ProductType === null) row.ProductType = 'Item';
    if (row.ProductSubType === null) row.ProductSubType = 'Product';
    for (const unit of ['SalesUnitSymbol', 'InventoryUnitSymbol', 'PurchaseUnitSymbol', 'BOMUnitSymbol']) {
      if (!str(row, unit)) row[unit] = 'pcs';
    }
    for (const qty of ['SalesPriceQuantity', 'PurchasePriceQuantity', 'UnitCostQuantity']) {
      if (!num(row, qty)) row[qty] = 1;
    }
    if (!str(row, 'ItemModelGroupId')) row.ItemModelGroupId = 'STD';
    if (!str(row, 'StorageDimensionGroupName'))
      row.StorageDimensionGroupName = row.ProductType === 'Service' ? 'Site' : 'SiteWH';
    if (!str(row, 'TrackingDimensionGroupName')) row.TrackingDimensionGroupName = 'None';
    if (!str(row, 'ProductDimensionGroupName')) row.ProductDimensionGroupName = '';
  },

  validate(row) {
    const lines: InfologLine[] = [];
    if (!str(row, 'ItemNumber')) lines.push("Warning: Field 'Item number' must be filled in");
    return lines;
  },
};

const PRICE_AOT = 'PriceDiscTableSalesPriceAgreementEntity';

export const salesPriceAgreements: EntityDef = {
  set: 'SalesPriceAgreements',
  typeName: 'SalesPriceAgreement',
  aotName: PRICE_AOT,
  tableLabel: 'Price/discount agreement',
  tableName: 'PriceDiscTable',
  schema: loadSchema('SalesPriceAgreements'),
  companyScoped: true,
  writable: true,
  navigation: {},
  dmfNames: ['Sales price agreements', PRICE_AOT, 'SalesPriceAgreement', 'SalesPriceAgreements'],
  describeKey: (row) => `Record ID: ${String(row.RecordId)}`,

  onCreate(row, ctx) {
    if (!num(row, 'RecordId')) row.RecordId = ctx.store.newRecId();
    if (!num(row, 'SalesPriceQuantity')) row.SalesPriceQuantity = 1;
    const product = findIn(
      ctx.store,
      'ReleasedProductsV2',
      str(row, 'dataAreaId'),
      'ItemNumber',
      str(row, 'ItemNumber'),
    );
    if (product) {
      if (!str(row, 'ProductNumber')) row.ProductNumber = str(product, 'ProductNumber');
      if (!str(row, 'QuantityUnitySymbol')) row.QuantityUnitySymbol = str(product, 'SalesUnitSymbol');
    }
  },

  validate(row, ctx) {
    const item = str(row, 'ItemNumber');
    if (item && !findIn(ctx.store, 'ReleasedProductsV2', str(row, 'dataAreaId'), 'ItemNumber', item)) {
      return notFound(item, 'Item number', 'Items', PRICE_AOT, 'ItemNumber');
    }
    return [];
  },
};

export const warehousesOnHand: EntityDef = {
  set: 'WarehousesOnHandV2',
  typeName: 'WarehouseOnHandV2',
  aotName: 'InventWarehouseOnHandV2Entity',
  tableLabel: 'On-hand inventory',
  tableName: 'InventSum',
  schema: loadSchema('WarehousesOnHandV2'),
  companyScoped: true,
  // The real entity is read-only; rows come from seeding and control.setOnHand().
  writable: false,
  navigation: {},
  dmfNames: [],
  describeKey: (row) => `Item number: ${str(row, 'ItemNumber')}, ${str(row, 'InventoryWarehouseId')}`,
};

/**
 * Recomputes the derived on-hand quantities (reference §1.7, [INF] semantics):
 * available on hand = on hand − reserved; total available = available on hand + ordered − on order.
 */
export function computeOnHand(row: Row): Row {
  const onHand = num(row, 'OnHandQuantity');
  const reserved = num(row, 'ReservedOnHandQuantity');
  const ordered = num(row, 'OrderedQuantity');
  const onOrder = num(row, 'OnOrderQuantity');
  const reservedOrdered = num(row, 'ReservedOrderedQuantity');
  row.AvailableOnHandQuantity = round(onHand - reserved);
  row.AvailableOrderedQuantity = round(ordered - reservedOrdered);
  row.TotalAvailableQuantity = round(onHand - reserved + ordered - onOrder);
  return row;
}

export function round(n: number, decimals = 6): number {
  const f = 10 ** decimals;
  return Math.round(n * f) / f;
}
