/**
 * Writing invoices to Salesforce in batches: one query for the Accounts, one for the
 * Opportunities (when an invoice has a sales order), one upsert of `Invoice__c`, one query of the
 * lines already there (only when an invoice was updated, not created) and one upsert of
 * `Invoice_Line__c` per 200 lines, per batch of up to 400 invoices (headers 200 per call) — so the
 * Salesforce calls grow with batches, not invoices.
 *
 * Links: the Account by `D365_Customer_Number__c` + legal entity (customer numbers are unique
 * per company only), the Opportunity by `D365_Sales_Order_Number__c` (preferring one of that
 * Account). An invoice whose customer is not in Salesforce is not written: the caller decides
 * whether to wait or give up.
 *
 * Money: decimals rounded half-up to the field's scale (amounts 2, unit price and quantity 6),
 * sent as JSON numbers only when the number is that exact decimal. Dates: the F&O calendar day.
 */
import type { SalesforceClient, SfRecord } from '../../salesforce/index.js';
import { Decimal, toJsonNumber } from '../../mapping/decimals.js';
import type { FnoInvoice } from './fno-invoice.js';

export const INVOICE_OBJECT = 'Invoice__c';
export const LINE_OBJECT = 'Invoice_Line__c';
export const INVOICE_EXTERNAL_ID = 'D365_Invoice_Id__c';
export const LINE_EXTERNAL_ID = 'D365_Invoice_Line_Id__c';
/**
 * Invoices per batch: the lookups take one SOQL query each for the whole batch (400 Ids or
 * numbers quoted in an IN list stay near 12 KB of URL, under Salesforce's 16 KB), the upserts go
 * 200 records per call (sObject Collections).
 */
const BATCH = 400;

/** `USMF|CIV-000123`: legal entity upper case, a bar, the invoice number. */
export function invoiceExternalId(company: string, invoiceNumber: string): string {
  return `${company.toUpperCase()}|${invoiceNumber}`;
}

function money(value: string, scale: number): number | string {
  const d = new Decimal(value).toDecimalPlaces(scale, Decimal.ROUND_HALF_UP);
  return toJsonNumber(d) ?? d.toFixed(scale);
}

export function soqlQuote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The Invoice__c fields of one F&O invoice (without its lookups). */
export function invoiceFields(inv: FnoInvoice, now: Date): SfRecord {
  const total = new Decimal(inv.total);
  return {
    [INVOICE_EXTERNAL_ID]: invoiceExternalId(inv.company, inv.invoiceNumber),
    Name: inv.invoiceNumber,
    Invoice_Date__c: inv.invoiceDate ?? null,
    Due_Date__c: inv.dueDate ?? null,
    Total_Amount__c: money(inv.total, 2),
    Tax_Amount__c: money(inv.tax, 2),
    Net_Amount__c: money(total.minus(inv.tax).toFixed(), 2),
    Currency_Code__c: inv.currency || null,
    Invoice_Status__c: total.isNegative() ? 'Credit Note' : 'Posted',
    Legal_Entity__c: inv.company.toUpperCase(),
    Sales_Order_Number__c: inv.salesOrderNumber ?? null,
    Last_Synced__c: now.toISOString(),
  };
}

export function lineFields(inv: FnoInvoice, invoiceId: string): SfRecord[] {
  const parent = invoiceExternalId(inv.company, inv.invoiceNumber);
  return inv.lines.map((l) => ({
    [LINE_EXTERNAL_ID]: `${parent}|${l.sequence}`,
    Name: `${inv.invoiceNumber}-${l.sequence}`,
    Invoice__c: invoiceId,
    Line_Number__c: l.sequence,
    Item_Number__c: l.productNumber || null,
    Description__c: l.description || null,
    Quantity__c: money(l.quantity, 6),
    Unit__c: l.unit || null,
    Unit_Price__c: money(l.unitPrice, 6),
    Line_Amount__c: money(l.lineAmount, 2),
    Tax_Amount__c: money(l.taxAmount, 2),
  }));
}

export type PushOutcome =
  | { status: 'written'; invoiceId: string }
  | { status: 'customer-missing' }
  | { status: 'failed'; message: string; transient: boolean };

export interface PushResult {
  /** Per invoice, by External ID. */
  outcomes: Map<string, PushOutcome>;
}

async function accountsByCustomer(
  sf: SalesforceClient,
  invoices: FnoInvoice[],
): Promise<Map<string, string>> {
  const numbers = [...new Set(invoices.map((i) => i.customerAccount))];
  const found = new Map<string, string>();
  if (!numbers.length) return found;
  const soql = `SELECT Id, D365_Customer_Number__c, D365_Legal_Entity__c FROM Account WHERE D365_Customer_Number__c IN (${numbers.map(soqlQuote).join(', ')})`;
  for (const row of await sf.queryAll<SfRecord>(soql)) {
    const company = String(row['D365_Legal_Entity__c'] ?? '').toUpperCase();
    found.set(`${company}|${String(row['D365_Customer_Number__c'])}`, String(row['Id']));
  }
  return found;
}

async function opportunitiesByOrder(
  sf: SalesforceClient,
  invoices: FnoInvoice[],
): Promise<Map<string, Array<{ id: string; accountId: string }>>> {
  const numbers = [...new Set(invoices.flatMap((i) => (i.salesOrderNumber ? [i.salesOrderNumber] : [])))];
  const found = new Map<string, Array<{ id: string; accountId: string }>>();
  if (!numbers.length) return found;
  const soql = `SELECT Id, AccountId, D365_Sales_Order_Number__c FROM Opportunity WHERE D365_Sales_Order_Number__c IN (${numbers.map(soqlQuote).join(', ')})`;
  for (const row of await sf.queryAll<SfRecord>(soql)) {
    const key = String(row['D365_Sales_Order_Number__c']);
    found.set(key, [
      ...(found.get(key) ?? []),
      { id: String(row['Id']), accountId: String(row['AccountId']) },
    ]);
  }
  return found;
}

async function existingLineIds(sf: SalesforceClient, invoiceIds: string[]): Promise<Set<string>> {
  const soql = `SELECT ${LINE_EXTERNAL_ID} FROM ${LINE_OBJECT} WHERE Invoice__c IN (${invoiceIds.map(soqlQuote).join(', ')})`;
  const rows = await sf.queryAll<SfRecord>(soql);
  return new Set(rows.map((r) => String(r[LINE_EXTERNAL_ID]).toUpperCase()));
}

/** Upserts the invoices (headers, then lines) in batches of 400. */
export async function pushInvoices(
  sf: SalesforceClient,
  invoices: FnoInvoice[],
  now: Date = new Date(),
): Promise<PushResult> {
  const outcomes = new Map<string, PushOutcome>();
  for (let i = 0; i < invoices.length; i += BATCH) {
    await pushBatch(sf, invoices.slice(i, i + BATCH), now, outcomes);
  }
  return { outcomes };
}

async function pushBatch(
  sf: SalesforceClient,
  batch: FnoInvoice[],
  now: Date,
  outcomes: Map<string, PushOutcome>,
): Promise<void> {
  const [accounts, opportunities] = await Promise.all([
    accountsByCustomer(sf, batch),
    opportunitiesByOrder(sf, batch),
  ]);
  const ready: FnoInvoice[] = [];
  const headers: SfRecord[] = [];
  for (const inv of batch) {
    const ext = invoiceExternalId(inv.company, inv.invoiceNumber);
    const accountId = accounts.get(`${inv.company.toUpperCase()}|${inv.customerAccount}`);
    if (!accountId) {
      outcomes.set(ext, { status: 'customer-missing' });
      continue;
    }
    const opps = inv.salesOrderNumber ? (opportunities.get(inv.salesOrderNumber) ?? []) : [];
    const opp = opps.find((o) => o.accountId === accountId) ?? (opps.length === 1 ? opps[0] : undefined);
    ready.push(inv);
    headers.push({ ...invoiceFields(inv, now), Account__c: accountId, Opportunity__c: opp?.id ?? null });
  }
  if (!headers.length) return;
  const written = await sf.upsertMany(INVOICE_OBJECT, INVOICE_EXTERNAL_ID, headers, {
    allOrNone: false,
    mode: 'collections',
  });
  const lines: SfRecord[] = [];
  const lineOwner: string[] = [];
  // Invoices Salesforce just created have no lines yet: only the others need the lookup below.
  const updated = new Set<string>();
  ready.forEach((inv, idx) => {
    const ext = invoiceExternalId(inv.company, inv.invoiceNumber);
    const r = written.results[idx];
    if (!r?.success || !r.id) {
      const message = r?.errors.map((e) => `${e.errorCode}: ${e.message}`).join('; ') || 'not written';
      outcomes.set(ext, { status: 'failed', message, transient: r?.transient ?? true });
      return;
    }
    outcomes.set(ext, { status: 'written', invoiceId: r.id });
    if (r.created !== true) updated.add(r.id);
    for (const line of lineFields(inv, r.id)) {
      lines.push(line);
      lineOwner.push(ext);
    }
  });
  if (!lines.length) return;
  // The master-detail field cannot be written on an existing line (not reparentable): only new lines carry it.
  const existing = updated.size ? await existingLineIds(sf, [...updated]) : new Set<string>();
  for (const line of lines)
    if (existing.has(String(line[LINE_EXTERNAL_ID]).toUpperCase())) delete line['Invoice__c'];
  const lineResults = await sf.upsertMany(LINE_OBJECT, LINE_EXTERNAL_ID, lines, {
    allOrNone: false,
    mode: 'collections',
  });
  lineResults.results.forEach((r, idx) => {
    const ext = lineOwner[idx] as string;
    if (!r.success) {
      const message = r.errors.map((e) => `${e.errorCode}: ${e.message}`).join('; ') || 'line not written';
      outcomes.set(ext, { status: 'failed', message, transient: r.transient ?? true });
    }
  });
}
