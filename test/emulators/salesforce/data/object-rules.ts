import { SfError } from '../errors.js';
import type { ObjectDef } from '../metadata/types.js';
import type { RecordStore, SfRecord, WriteMode } from './store.js';

/**
 * Standard-object behaviour the flows depend on: derived names, Opportunity won/closed flags
 * and roll-up amount, line-item prices, and the price book rules (a standard price must exist
 * before a custom one; one entry per product, price book and currency).
 */

const round2 = (n: number): number => Math.round(n * 100) / 100;

function lookupRecord(store: RecordStore, objectName: string, id: unknown): SfRecord | undefined {
  const def = store.schema.object(objectName);
  return def && typeof id === 'string' ? store.get(def, id) : undefined;
}

export function standardPricebookId(store: RecordStore): string | undefined {
  const def = store.schema.object('Pricebook2');
  return def ? (store.all(def).find((r) => r.IsStandard === true)?.Id as string | undefined) : undefined;
}

function fullName(record: SfRecord): string {
  return [record.FirstName, record.LastName].filter((v) => typeof v === 'string' && v !== '').join(' ');
}

export function applyObjectRules(
  store: RecordStore,
  def: ObjectDef,
  record: SfRecord,
  changes: SfRecord,
  mode: WriteMode,
): void {
  switch (def.name) {
    case 'Contact':
    case 'User':
      record.Name = fullName(record);
      break;
    case 'Opportunity': {
      const stage = String(record.StageName ?? '');
      record.IsWon = stage === 'Closed Won';
      record.IsClosed = stage === 'Closed Won' || stage === 'Closed Lost';
      break;
    }
    case 'PricebookEntry':
      if (mode === 'create') pricebookEntryRules(store, def, record);
      break;
    case 'OpportunityLineItem':
      lineItemRules(store, record, changes, mode);
      break;
    default:
  }
}

function pricebookEntryRules(store: RecordStore, def: ObjectDef, record: SfRecord): void {
  const product = lookupRecord(store, 'Product2', record.Product2Id);
  record.Name = product?.Name ?? null;
  record.ProductCode = product?.ProductCode ?? null;
  const currency = record.CurrencyIsoCode ?? 'USD';
  const siblings = store
    .findBy(def, def.fields.get('product2id')!, record.Product2Id)
    .filter((r) => (r.CurrencyIsoCode ?? 'USD') === currency);
  if (siblings.some((r) => r.Pricebook2Id === record.Pricebook2Id)) {
    throw new SfError(400, 'DUPLICATE_VALUE', 'This price definition already exists in this price book');
  }
  const standardId = standardPricebookId(store);
  if (record.Pricebook2Id !== standardId && !siblings.some((r) => r.Pricebook2Id === standardId)) {
    throw new SfError(400, 'STANDARD_PRICE_NOT_DEFINED', 'No standard price defined for this product');
  }
}

function lineItemRules(store: RecordStore, record: SfRecord, changes: SfRecord, mode: WriteMode): void {
  const opp = lookupRecord(store, 'Opportunity', record.OpportunityId);
  if (mode === 'create') {
    let pbe = lookupRecord(store, 'PricebookEntry', record.PricebookEntryId);
    if (!pbe && record.Product2Id) {
      const pricebookId = opp?.Pricebook2Id ?? standardPricebookId(store);
      const pbeDef = store.schema.object('PricebookEntry')!;
      pbe = store
        .all(pbeDef)
        .find((r) => r.Product2Id === record.Product2Id && r.Pricebook2Id === pricebookId);
    }
    if (!pbe)
      throw new SfError(400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [PricebookEntryId]', [
        'PricebookEntryId',
      ]);
    if (opp?.Pricebook2Id && opp.Pricebook2Id !== pbe.Pricebook2Id) {
      throw new SfError(
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        'field integrity exception: PricebookEntryId (pricebook entry is in a different pricebook than the one assigned to the opportunity)',
        ['PricebookEntryId'],
      );
    }
    record.PricebookEntryId = pbe.Id;
    record.Product2Id = pbe.Product2Id;
    record.ListPrice = pbe.UnitPrice;
    record.CurrencyIsoCode = pbe.CurrencyIsoCode ?? 'USD';
    const product = lookupRecord(store, 'Product2', pbe.Product2Id);
    record.ProductCode = product?.ProductCode ?? null;
    record.Name = `${String(opp?.Name ?? '')} ${String(product?.Name ?? '')}`.trim();
    if (opp && !opp.Pricebook2Id)
      store.putDerived(store.schema.object('Opportunity')!, { ...opp, Pricebook2Id: pbe.Pricebook2Id });
  }
  const hasUnit = changes.UnitPrice !== undefined && changes.UnitPrice !== null;
  const hasTotal = changes.TotalPrice !== undefined && changes.TotalPrice !== null;
  if (hasUnit && hasTotal) {
    throw new SfError(
      400,
      'FIELD_INTEGRITY_EXCEPTION',
      'field integrity exception: TotalPrice (cannot specify both unit price and total price)',
      ['TotalPrice'],
    );
  }
  const quantity = Number(record.Quantity ?? 0);
  const discount = Number(record.Discount ?? 0);
  if (hasTotal)
    record.UnitPrice = quantity
      ? round2(Number(record.TotalPrice) / quantity / (1 - discount / 100 || 1))
      : 0;
  if (record.UnitPrice === undefined || record.UnitPrice === null) {
    throw new SfError(
      400,
      'FIELD_INTEGRITY_EXCEPTION',
      'field integrity exception: unknown (must specify either UnitPrice or TotalPrice)',
    );
  }
  record.TotalPrice = round2(quantity * Number(record.UnitPrice) * (1 - discount / 100));
}

/** Opportunity.Amount and HasOpportunityLineItem follow the line items. */
function rollUpOpportunity(store: RecordStore, opportunityId: unknown): void {
  const oppDef = store.schema.object('Opportunity');
  const oliDef = store.schema.object('OpportunityLineItem');
  const opp = lookupRecord(store, 'Opportunity', opportunityId);
  if (!oppDef || !oliDef || !opp) return;
  const lines = store.all(oliDef).filter((r) => r.OpportunityId === opp.Id);
  const amount = round2(lines.reduce((sum, r) => sum + Number(r.TotalPrice ?? 0), 0));
  store.putDerived(oppDef, {
    ...opp,
    Amount: lines.length ? amount : opp.Amount,
    HasOpportunityLineItem: lines.length > 0,
  });
}

export function afterWrite(store: RecordStore, def: ObjectDef, record: SfRecord): void {
  if (def.name === 'OpportunityLineItem') rollUpOpportunity(store, record.OpportunityId);
}

export function afterDelete(store: RecordStore, def: ObjectDef, record: SfRecord): void {
  if (def.name === 'OpportunityLineItem') rollUpOpportunity(store, record.OpportunityId);
}
