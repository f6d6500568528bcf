/** Registry of every emulated entity set. */
import { contactPersons, customers } from './customers.js';
import {
  custInvoiceJour,
  custTransactions,
  custTransOpens,
  salesInvoiceHeaders,
  salesInvoiceLines,
} from './invoices.js';
import { productTranslations } from './product-translations.js';
import { releasedProducts, salesPriceAgreements, warehousesOnHand } from './products.js';
import { customerGroups, legalEntities, operationalSites, warehouses } from './reference.js';
import { salesOrderHeaders, salesOrderLines } from './sales-orders.js';
import type { EntityDef } from './types.js';

export const ENTITY_DEFS: readonly EntityDef[] = [
  customers,
  contactPersons,
  salesOrderHeaders,
  salesOrderLines,
  releasedProducts,
  salesPriceAgreements,
  productTranslations,
  warehousesOnHand,
  salesInvoiceHeaders,
  salesInvoiceLines,
  custInvoiceJour,
  custTransactions,
  custTransOpens,
  customerGroups,
  legalEntities,
  operationalSites,
  warehouses,
];

const BY_SET = new Map(ENTITY_DEFS.map((d) => [d.set, d]));

export function entityBySet(set: string): EntityDef | undefined {
  return BY_SET.get(set);
}

/** Entity for a DMF manifest name (label, AOT, public entity or set name; case-insensitive). */
export function entityByDmfName(name: string): EntityDef | undefined {
  const n = name.trim().toLowerCase();
  return ENTITY_DEFS.find((d) => d.dmfNames.some((x) => x.toLowerCase() === n));
}
