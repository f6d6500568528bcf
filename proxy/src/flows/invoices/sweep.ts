/**
 * The invoice sweep: what business events missed (endpoint down longer than F&O's three tries,
 * the event not activated for a company, events off entirely). Per company it lists the invoices
 * posted since a day — headers, lines and due dates, each one paged `$select`ed query filtered
 * on `InvoiceDate` — reads what Salesforce holds for the same days in one SOQL query, and upserts
 * the invoices Salesforce lacks or holds differently (amounts, dates, currency, customer link).
 * `dryRun` reports the same without writing.
 */
import type { D365Client } from '../../d365/index.js';
import { ge } from '../../d365/odata/filter.js';
import { Decimal } from '../../mapping/decimals.js';
import type { SalesforceClient, SfRecord } from '../../salesforce/index.js';
import {
  HEADER_ENTITY,
  HEADER_SELECT,
  invoiceFromRows,
  JOURNAL_ENTITY,
  JOURNAL_SELECT,
  LINE_ENTITY,
  LINE_SELECT,
  type FnoInvoice,
} from './fno-invoice.js';
import { invoiceExternalId, invoiceFields, pushInvoices, soqlQuote } from './salesforce-invoices.js';

type Row = Record<string, unknown>;

export interface InvoiceSweepOptions {
  /** First invoice day included (`YYYY-MM-DD`). */
  since: string;
  companies: readonly string[];
  dryRun?: boolean;
  signal?: AbortSignal;
  clock?: () => number;
}

export interface InvoiceSweepReport {
  since: string;
  dryRun: boolean;
  companies: Array<{
    company: string;
    /** Invoices F&O shows since `since`. */
    checked: number;
    /** Not in Salesforce / there but different. */
    missing: number;
    different: number;
    written: number;
    /** Their customer is not in Salesforce (yet): left for the next sweep. */
    customerMissing: number;
    failed: number;
    /** The first few failures, for the operator. */
    errors: Array<{ invoice: string; message: string }>;
  }>;
}

export const SINCE = /^\d{4}-\d{2}-\d{2}$/;

async function listSince(
  d365: D365Client,
  entity: string,
  select: readonly string[],
  company: string,
  since: string,
  signal?: AbortSignal,
): Promise<Row[]> {
  const filter = ge('InvoiceDate', new Date(`${since}T00:00:00Z`));
  return d365.odata.query<Row>(entity, { company, filter, select, lane: 'bulk', signal }).all();
}

/** The fields compared: a difference in any of them rewrites the invoice. */
const COMPARED = [
  'Total_Amount__c',
  'Tax_Amount__c',
  'Invoice_Date__c',
  'Due_Date__c',
  'Currency_Code__c',
  'Sales_Order_Number__c',
] as const;

function differs(want: SfRecord, have: SfRecord): boolean {
  return (
    COMPARED.some((f) => {
      const a = want[f] ?? null;
      const b = have[f] ?? null;
      if (typeof a === 'number' || typeof b === 'number') {
        if (a === null || b === null) return a !== b;
        return !new Decimal(String(a)).equals(new Decimal(String(b)));
      }
      return String(a ?? '') !== String(b ?? '');
    }) || !have['Account__c']
  );
}

export async function sweepInvoices(
  d365: D365Client,
  sf: SalesforceClient,
  opts: InvoiceSweepOptions,
): Promise<InvoiceSweepReport> {
  if (!SINCE.test(opts.since)) throw new RangeError('since must be a day, YYYY-MM-DD');
  const now = new Date((opts.clock ?? Date.now)());
  const report: InvoiceSweepReport = { since: opts.since, dryRun: opts.dryRun ?? false, companies: [] };
  for (const raw of opts.companies) {
    const company = raw.toLowerCase();
    const [headers, lines, journal] = await Promise.all([
      listSince(d365, HEADER_ENTITY, HEADER_SELECT, company, opts.since, opts.signal),
      listSince(d365, LINE_ENTITY, LINE_SELECT, company, opts.since, opts.signal),
      listSince(d365, JOURNAL_ENTITY, [...JOURNAL_SELECT, 'InvoiceDate'], company, opts.since, opts.signal),
    ]);
    const linesOf = new Map<string, Row[]>();
    for (const l of lines) {
      const n = String(l['InvoiceNumber']);
      linesOf.set(n, [...(linesOf.get(n) ?? []), l]);
    }
    const dueOf = new Map(journal.map((j) => [String(j['InvoiceId']), j]));
    const invoices: FnoInvoice[] = headers.map((h) =>
      invoiceFromRows(
        h,
        linesOf.get(String(h['InvoiceNumber'])) ?? [],
        dueOf.get(String(h['InvoiceNumber'])),
      ),
    );

    const soql = `SELECT Id, D365_Invoice_Id__c, Account__c, ${COMPARED.join(', ')} FROM Invoice__c WHERE Legal_Entity__c = ${soqlQuote(company.toUpperCase())} AND Invoice_Date__c >= ${opts.since}`;
    const held = new Map<string, SfRecord>();
    for (const r of await sf.queryAll<SfRecord>(soql))
      held.set(String(r['D365_Invoice_Id__c']).toUpperCase(), r);

    const entry = {
      company,
      checked: invoices.length,
      missing: 0,
      different: 0,
      written: 0,
      customerMissing: 0,
      failed: 0,
      errors: [] as Array<{ invoice: string; message: string }>,
    };
    const todo: FnoInvoice[] = [];
    for (const inv of invoices) {
      const have = held.get(invoiceExternalId(inv.company, inv.invoiceNumber).toUpperCase());
      if (!have) entry.missing++;
      else if (differs(invoiceFields(inv, now), have)) entry.different++;
      else continue;
      todo.push(inv);
    }
    if (!report.dryRun && todo.length) {
      const { outcomes } = await pushInvoices(sf, todo, now);
      for (const [invoice, o] of outcomes) {
        if (o.status === 'written') entry.written++;
        else if (o.status === 'customer-missing') entry.customerMissing++;
        else {
          entry.failed++;
          if (entry.errors.length < 5) entry.errors.push({ invoice, message: o.message });
        }
      }
    }
    report.companies.push(entry);
  }
  return report;
}
