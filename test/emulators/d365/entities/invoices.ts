/**
 * Posted documents (all read-only over OData, filled by control.postInvoice/postPayment and seeding):
 * SalesInvoiceHeadersV2 + SalesInvoiceV2Lines (§1.8), CustInvoiceJourBiEntities (due date),
 * CustTransactions + CustTransOpens (§1.9).
 */
import { str } from './helpers.js';
import { loadSchema } from './schema.js';
import type { EntityDef } from './types.js';

function readOnly(
  set: string,
  typeName: string,
  aotName: string,
  tableLabel: string,
  tableName: string,
  describe: (row: Record<string, unknown>) => string,
  navigation: EntityDef['navigation'] = {},
): EntityDef {
  return {
    set,
    typeName,
    aotName,
    tableLabel,
    tableName,
    schema: loadSchema(set),
    companyScoped: true,
    writable: false,
    navigation,
    dmfNames: [],
    describeKey: describe,
  };
}

const invoiceKeyJoin: Array<readonly [string, string]> = [
  ['InvoiceNumber', 'InvoiceNumber'],
  ['InvoiceDate', 'InvoiceDate'],
  ['LedgerVoucher', 'LedgerVoucher'],
];

export const salesInvoiceHeaders = readOnly(
  'SalesInvoiceHeadersV2',
  'SalesInvoiceHeaderV2',
  'SalesInvoiceHeaderV2Entity',
  'Customer invoice journal',
  'CustInvoiceJour',
  (r) => `Invoice: ${str(r, 'InvoiceNumber')}`,
  { SalesInvoiceLinesV2: { target: 'SalesInvoiceV2Lines', multiple: true, on: invoiceKeyJoin } },
);

export const salesInvoiceLines = readOnly(
  'SalesInvoiceV2Lines',
  'SalesInvoiceV2Line',
  'SalesInvoiceLineV2Entity',
  'Customer invoice lines',
  'CustInvoiceTrans',
  (r) => `Invoice: ${str(r, 'InvoiceNumber')}, line ${String(r.LineCreationSequenceNumber)}`,
  { SalesInvoiceHeaderV2: { target: 'SalesInvoiceHeadersV2', multiple: false, on: invoiceKeyJoin } },
);

export const custInvoiceJour = readOnly(
  'CustInvoiceJourBiEntities',
  'CustInvoiceJourBiEntity',
  'CustInvoiceJourBiEntity',
  'Customer invoice journal',
  'CustInvoiceJour',
  (r) => `Invoice: ${str(r, 'InvoiceId')}`,
);

export const custTransactions = readOnly(
  'CustTransactions',
  'CustTransaction',
  'CustTransBiEntity',
  'Customer transactions',
  'CustTrans',
  (r) => `Voucher: ${str(r, 'Voucher')}`,
  { CustTransOpen: { target: 'CustTransOpens', multiple: false, on: [['SysRecId', 'RefRecId']] } },
);

export const custTransOpens = readOnly(
  'CustTransOpens',
  'CustTransOpen',
  'CustTransOpenBiEntity',
  'Open customer transactions',
  'CustTransOpen',
  (r) => `Record ID: ${String(r.SysRecId)}`,
  { CustTransaction: { target: 'CustTransactions', multiple: false, on: [['RefRecId', 'SysRecId']] } },
);
