/**
 * Reading posted sales invoices from F&O (one, or a group by number): the header (`SalesInvoiceHeadersV2`), its lines
 * (`SalesInvoiceV2Lines`: `ProductNumber`, there is no `ItemNumber`) and its due date
 * (`CustInvoiceJourBiEntities`: the header entity has none). Amounts stay decimal text as F&O
 * sent them; dates are the F&O calendar day (date-only fields arrive at 12:00Z).
 */
import type { D365Client } from '../../d365/index.js';
import { anyOf, eq } from '../../d365/odata/filter.js';
import { Decimal, toDecimal } from '../../mapping/decimals.js';

export const HEADER_ENTITY = 'SalesInvoiceHeadersV2';
export const LINE_ENTITY = 'SalesInvoiceV2Lines';
export const JOURNAL_ENTITY = 'CustInvoiceJourBiEntities';

export const HEADER_SELECT = [
  'dataAreaId',
  'InvoiceNumber',
  'InvoiceDate',
  'LedgerVoucher',
  'InvoiceCustomerAccountNumber',
  'SalesOrderNumber',
  'CurrencyCode',
  'TotalInvoiceAmount',
  'TotalTaxAmount',
] as const;
export const LINE_SELECT = [
  'InvoiceNumber',
  'LineCreationSequenceNumber',
  'ProductNumber',
  'ProductName',
  'ProductDescription',
  'InvoicedQuantity',
  'SalesUnitSymbol',
  'SalesPrice',
  'LineAmount',
  'LineTotalTaxAmount',
] as const;
export const JOURNAL_SELECT = ['InvoiceId', 'DueDate'] as const;

type Row = Record<string, unknown>;

export interface FnoInvoiceLine {
  sequence: number;
  productNumber: string;
  description: string;
  quantity: string;
  unit: string;
  unitPrice: string;
  lineAmount: string;
  taxAmount: string;
}

export interface FnoInvoice {
  /** dataAreaId, lower case. */
  company: string;
  invoiceNumber: string;
  invoiceDate: string | undefined;
  dueDate: string | undefined;
  customerAccount: string;
  salesOrderNumber: string | undefined;
  currency: string;
  total: string;
  tax: string;
  lines: FnoInvoiceLine[];
}

/** An F&O date-only value as its calendar day; undefined for the empty date (1900-01-01). */
export function fnoDay(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length < 10) return undefined;
  const day = value.slice(0, 10);
  return day.startsWith('1900-01-01') ? undefined : day;
}

function decimalText(value: unknown): string {
  return (toDecimal(value) ?? new Decimal(0)).toFixed();
}

const text = (row: Row, field: string): string =>
  typeof row[field] === 'string' ? (row[field] as string) : '';

/** Header + lines (+ due date) as one invoice. */
export function invoiceFromRows(header: Row, lines: Row[], journal: Row | undefined): FnoInvoice {
  const salesOrder = text(header, 'SalesOrderNumber');
  return {
    company: text(header, 'dataAreaId').toLowerCase(),
    invoiceNumber: text(header, 'InvoiceNumber'),
    invoiceDate: fnoDay(header['InvoiceDate']),
    dueDate: fnoDay(journal?.['DueDate']),
    customerAccount: text(header, 'InvoiceCustomerAccountNumber'),
    salesOrderNumber: salesOrder || undefined,
    currency: text(header, 'CurrencyCode'),
    total: decimalText(header['TotalInvoiceAmount']),
    tax: decimalText(header['TotalTaxAmount']),
    lines: lines
      .map((l) => ({
        sequence: Number(l['LineCreationSequenceNumber']),
        productNumber: text(l, 'ProductNumber'),
        description: text(l, 'ProductName') || text(l, 'ProductDescription'),
        quantity: decimalText(l['InvoicedQuantity']),
        unit: text(l, 'SalesUnitSymbol'),
        unitPrice: decimalText(l['SalesPrice']),
        lineAmount: decimalText(l['LineAmount']),
        taxAmount: decimalText(l['LineTotalTaxAmount']),
      }))
      .sort((a, b) => a.sequence - b.sequence),
  };
}

/** The invoice as F&O holds it now; undefined when F&O has no such invoice (yet). */
export async function readFnoInvoice(
  d365: D365Client,
  company: string,
  invoiceNumber: string,
  signal?: AbortSignal,
): Promise<FnoInvoice | undefined> {
  const call = { company, filter: eq('InvoiceNumber', invoiceNumber), lane: 'sync' as const, signal };
  const [headers, lines, journal] = await Promise.all([
    d365.odata.query<Row>(HEADER_ENTITY, { ...call, select: HEADER_SELECT }).all(),
    d365.odata.query<Row>(LINE_ENTITY, { ...call, select: LINE_SELECT }).all(),
    d365.odata
      .query<Row>(JOURNAL_ENTITY, { ...call, filter: eq('InvoiceId', invoiceNumber), select: JOURNAL_SELECT })
      .all(),
  ]);
  const header = headers[0];
  if (!header) return undefined;
  return invoiceFromRows(header, lines, journal[0]);
}

/**
 * Several invoices of one company at once, by number: per entity one query per `or` chunk (F&O
 * has no `in`; `anyOf` keeps each URL short), so a group of 200 costs a few dozen reads, not 600.
 * The map holds the invoices F&O shows; a number missing from it is not there (yet).
 */
export async function readFnoInvoices(
  d365: D365Client,
  company: string,
  invoiceNumbers: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, FnoInvoice>> {
  const read = (entity: string, field: string, select: readonly string[]) =>
    Promise.all(
      anyOf(field, invoiceNumbers).map((filter) =>
        d365.odata.query<Row>(entity, { company, filter, select, lane: 'sync', signal }).all(),
      ),
    ).then((pages) => pages.flat());
  const [headers, lines, journal] = await Promise.all([
    read(HEADER_ENTITY, 'InvoiceNumber', HEADER_SELECT),
    read(LINE_ENTITY, 'InvoiceNumber', LINE_SELECT),
    read(JOURNAL_ENTITY, 'InvoiceId', JOURNAL_SELECT),
  ]);
  const linesOf = new Map<string, Row[]>();
  for (const l of lines) {
    const n = text(l, 'InvoiceNumber');
    linesOf.set(n, [...(linesOf.get(n) ?? []), l]);
  }
  const journalOf = new Map(journal.map((j) => [text(j, 'InvoiceId'), j]));
  const found = new Map<string, FnoInvoice>();
  for (const h of headers) {
    const n = text(h, 'InvoiceNumber');
    // The first header of a number, as the single read takes it.
    if (!found.has(n)) found.set(n, invoiceFromRows(h, linesOf.get(n) ?? [], journalOf.get(n)));
  }
  return found;
}
