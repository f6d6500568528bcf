/**
 * Flow 7: payment status per invoice and the customer's standing on Account, F&O → Salesforce.
 *
 * One run per company:
 *  1. F&O (lane `sync`): the invoice transactions still open or settled since the watermark
 *     (`CustTransactions`), the open items (`CustTransOpens`: balance and overdue in the accounting
 *     currency) and the customers' credit limit and hold (`CustomersV3`), each one paged query;
 *  2. the status rules (`status.ts`) on the company's calendar day (`COMPANY_TIME_ZONES`);
 *  3. only what differs from what the last run wrote (per invoice and per customer the
 *     Salesforce Id and a digest of the fields, kept in the store with the watermark) is
 *     written, by Id, through sObject Collections (200 records per call); a record not seen
 *     before is first looked up by External ID (`D365_Invoice_Id__c`) or customer number and
 *     written only where Salesforce shows something else. Updates by Id never create a
 *     half-filled invoice: creating invoices is the invoice flow's work.
 *
 * An invoice Salesforce does not have yet is counted (`awaitingInvoice`) and not remembered, so
 * the next run tries it again after the invoice sweep created it; nothing is dead-lettered.
 * The watermark advances only when a run finishes: a missed or failed run is caught up by the next.
 */
import type { D365Client } from '../../d365/index.js';
import { and, eq, ge, ne, or } from '../../d365/odata/filter.js';
import type { Store } from '../../jobs/index.js';
import type { SalesforceClient } from '../../salesforce/index.js';
import { calendarDay, cents, invoicePayment, type CustTransaction, type InvoicePayment } from './status.js';

export const PAYMENTS_FLOW = 'payments';
const LEDGER_NS = 'payments';
/** Settlements can be dated a day back (posting after midnight, a back-dated journal). */
const OVERLAP_DAYS = 1;
/** The first run also reads what was settled in the last 90 days (the Account card's recent invoices). */
const FIRST_RUN_DAYS = 90;
/** External IDs per SOQL `IN (…)`: keeps the GET URL well under Salesforce's limit. */
const LOOKUP_CHUNK = 200;
const EMPTY_DATE = new Date('1900-01-01T12:00:00Z');

export interface PaymentsDeps {
  d365: Pick<D365Client, 'odata'>;
  salesforce: Pick<SalesforceClient, 'query' | 'updateMany'>;
  store: Pick<Store, 'ledgerGet' | 'ledgerPut'>;
  /** Company → IANA time zone; companies not listed use UTC. */
  timeZones: Record<string, string>;
  /** Company → its accounting currency (the mapping file's `currency`). */
  currencies: Record<string, string>;
  /**
   * PAYMENTS_STANDING_REFRESH_MIN: an unchanged standing whose refresh time is older than this
   * gets the time rewritten (the Account card calls a standing stale after 120 minutes); 0 never.
   */
  refreshAfterMinutes?: number;
  clock?: () => number;
}

export interface PaymentsRunOptions {
  company: string;
  dryRun: boolean;
}

export interface PaymentsCompanyReport {
  company: string;
  /** The company's calendar day the statuses were decided on. */
  today: string;
  /** `LastSettleDate` lower bound of this run (the first run: 90 days back). */
  since: string;
  transactionsRead: number;
  invoicesChanged: number;
  invoicesWritten: number;
  /** Changed in F&O, not (yet) in Salesforce: left for the invoice sweep. */
  awaitingInvoice: number;
  invoiceErrors: number;
  accountsChanged: number;
  accountsWritten: number;
  /** Unchanged standings whose refresh time alone was rewritten (PAYMENTS_STANDING_REFRESH_MIN). */
  accountsRefreshed: number;
  accountsNotInSalesforce: number;
  accountErrors: number;
  dryRun: boolean;
}

interface OpenItem {
  AccountNum: string;
  AmountMST: number;
  DueDate: string;
}

interface Customer {
  CustomerAccount: string;
  CreditLimit: number;
  OnHoldStatus: string;
}

interface Standing {
  balance: number;
  overdue: number;
  creditLimit: number;
  onHold: string;
}

interface PaymentsState {
  /** Company day of the last finished run. */
  day: string;
  /** External ID → `<Invoice__c Id> <digest of the fields written>`. */
  invoices: Record<string, string>;
  /** Customer number → `<Account Id> <digest>`, or `absent@<day>`. */
  accounts: Record<string, string>;
  /** Customer number → when `D365_Standing_Refreshed__c` was last written (epoch ms). */
  refreshed?: Record<string, number>;
}

const TRANSACTION_FIELDS = [
  'dataAreaId',
  'AccountNum',
  'Invoice',
  'AmountCur',
  'SettleAmountCur',
  'CurrencyCode',
  'DueDate',
  'Closed',
  'LastSettleDate',
] as const;

/** `USMF|CIV-000123`: the legal entity in upper case, a bar, the invoice number. */
export function invoiceExternalId(company: string, invoice: string): string {
  return `${company.toUpperCase()}|${invoice}`;
}

function soqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function minusDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function invoiceFields(p: InvoicePayment): Record<string, unknown> {
  return {
    Payment_Status__c: p.status,
    Amount_Remaining__c: p.amountRemaining,
    Amount_Paid__c: p.amountPaid,
    Last_Payment_Date__c: p.lastPaymentDate,
  };
}

function standingFields(s: Standing, currency: string): Record<string, unknown> {
  return {
    D365_Balance__c: s.balance,
    D365_Overdue_Amount__c: s.overdue,
    D365_Credit_Limit__c: s.creditLimit,
    D365_On_Hold_Status__c: s.onHold,
    D365_Standing_Currency__c: currency,
  };
}

/** Salesforce already shows these values (numbers compared to the cent, empty = null). */
function sameValues(want: Record<string, unknown>, have: Record<string, unknown>): boolean {
  return Object.entries(want).every(([k, v]) => {
    const h = have[k] ?? null;
    if (typeof v === 'number') return typeof h === 'number' && cents(h) === cents(v);
    return (v ?? null) === h;
  });
}

export async function runPaymentsSync(
  opts: PaymentsRunOptions,
  deps: PaymentsDeps,
): Promise<PaymentsCompanyReport> {
  const company = opts.company.toLowerCase();
  const now = new Date((deps.clock ?? Date.now)());
  const today = calendarDay(now, deps.timeZones[company] ?? 'UTC');
  const currency = deps.currencies[company] ?? '';
  const stateKey = `state:${company}`;
  const previous = await deps.store.ledgerGet<PaymentsState>(LEDGER_NS, stateKey);
  const since = previous ? minusDays(previous.day, OVERLAP_DAYS) : minusDays(today, FIRST_RUN_DAYS);
  const lane = 'sync' as const;

  // ── 1. F&O ────────────────────────────────────────────────────────────────────────────
  const stillOpen = eq('Closed', EMPTY_DATE);
  const transactions = await deps.d365.odata
    .query<CustTransaction>('CustTransactions', {
      company,
      select: TRANSACTION_FIELDS,
      filter: and(
        or(stillOpen, ge('LastSettleDate', new Date(`${since}T00:00:00Z`))),
        // Invoices and credit notes carry an invoice number; payments do not.
        ne('Invoice', ''),
      ),
      lane,
    })
    .all();
  const invoices = transactions.filter((t) => t.Invoice !== '');
  const openItems = await deps.d365.odata
    .query<OpenItem>('CustTransOpens', { company, select: ['AccountNum', 'AmountMST', 'DueDate'], lane })
    .all();
  const customers = await deps.d365.odata
    .query<Customer>('CustomersV3', {
      company,
      select: ['CustomerAccount', 'CreditLimit', 'OnHoldStatus'],
      lane,
    })
    .all();

  // ── 2. what F&O says now ─────────────────────────────────────────────────────────────
  const invoiceState = new Map<string, InvoicePayment>();
  for (const t of invoices) invoiceState.set(invoiceExternalId(company, t.Invoice), invoicePayment(t, today));
  const standings = new Map<string, Standing>();
  for (const c of customers)
    standings.set(c.CustomerAccount, {
      balance: 0,
      overdue: 0,
      creditLimit: cents(c.CreditLimit),
      onHold: c.OnHoldStatus,
    });
  for (const o of openItems) {
    const s = standings.get(o.AccountNum);
    if (!s) continue;
    s.balance = cents(s.balance + o.AmountMST);
    if (o.AmountMST > 0 && o.DueDate.slice(0, 10) < today) s.overdue = cents(s.overdue + o.AmountMST);
  }

  // ── 3. what differs from what the last run wrote ─────────────────────────────────────
  const wantInvoices = new Map([...invoiceState].map(([id, p]) => [id, invoiceFields(p)]));
  const wantAccounts = new Map([...standings].map(([num, st]) => [num, standingFields(st, currency)]));
  const invoicePlan = await plan(wantInvoices, previous?.invoices, undefined, (ids) =>
    lookup(
      deps.salesforce,
      'SELECT Id, D365_Invoice_Id__c, Payment_Status__c, Amount_Remaining__c, Amount_Paid__c, Last_Payment_Date__c ' +
        `FROM Invoice__c WHERE D365_Invoice_Id__c IN (${ids.map(soqlString).join(', ')})`,
      'D365_Invoice_Id__c',
    ),
  );
  const accountPlan = await plan(wantAccounts, previous?.accounts, `absent@${today}`, (nums) =>
    lookup(
      deps.salesforce,
      'SELECT Id, D365_Customer_Number__c, D365_Balance__c, D365_Overdue_Amount__c, D365_Credit_Limit__c, ' +
        'D365_On_Hold_Status__c, D365_Standing_Currency__c ' +
        `FROM Account WHERE D365_Customer_Number__c IN (${nums.map(soqlString).join(', ')})`,
      'D365_Customer_Number__c',
    ),
  );
  const refreshed = now.toISOString();
  for (const w of accountPlan.writes) w.fields = { ...w.fields, D365_Standing_Refreshed__c: refreshed };
  // Unchanged standings: only the refresh time, and only once it is old enough to look stale.
  const refreshedAt = { ...(previous?.refreshed ?? {}) };
  const refreshMs = (deps.refreshAfterMinutes ?? 0) * 60_000;
  const writing = new Set(accountPlan.writes.map((w) => w.key));
  let timestampsOnly = 0;
  if (refreshMs > 0)
    for (const [num, last] of Object.entries(accountPlan.remembered)) {
      if (writing.has(num) || last.startsWith('absent@')) continue;
      if (now.getTime() - (refreshedAt[num] ?? 0) < refreshMs) continue;
      const space = last.indexOf(' ');
      accountPlan.writes.push({
        key: num,
        id: last.slice(0, space),
        digest: last.slice(space + 1),
        fields: { D365_Standing_Refreshed__c: refreshed },
      });
      timestampsOnly += 1;
    }

  const report: PaymentsCompanyReport = {
    company,
    today,
    since,
    transactionsRead: transactions.length,
    invoicesChanged: invoicePlan.changed,
    invoicesWritten: invoicePlan.writes.length,
    awaitingInvoice: invoicePlan.missing,
    invoiceErrors: 0,
    accountsChanged: accountPlan.changed,
    accountsWritten: accountPlan.writes.length - timestampsOnly,
    accountsRefreshed: timestampsOnly,
    accountsNotInSalesforce: accountPlan.missing,
    accountErrors: 0,
    dryRun: opts.dryRun,
  };
  if (opts.dryRun) return report;

  // ── 4. write by Id (collections, 200 per call), remember what was written ──────────────
  report.invoiceErrors = await write(deps.salesforce, 'Invoice__c', invoicePlan);
  report.accountErrors = await write(deps.salesforce, 'Account', accountPlan);
  for (const w of accountPlan.writes)
    if (accountPlan.remembered[w.key] === `${w.id} ${w.digest}`) refreshedAt[w.key] = now.getTime();
  for (const num of Object.keys(refreshedAt)) if (!(num in accountPlan.remembered)) delete refreshedAt[num];
  report.invoicesWritten -= report.invoiceErrors;
  report.accountsWritten -= report.accountErrors;
  await deps.store.ledgerPut<PaymentsState>(
    LEDGER_NS,
    stateKey,
    {
      day: today,
      invoices: invoicePlan.remembered,
      accounts: accountPlan.remembered,
      refreshed: refreshedAt,
    },
    { overwrite: true },
  );
  return report;
}

// ── planning and writing (shared by invoices and accounts) ─────────────────────────────────

/** A Salesforce record the last run wrote or found equal: `<Id> <digest>`. */
type Remembered = string;

interface Write {
  key: string;
  id: string;
  digest: string;
  fields: Record<string, unknown>;
}

interface Plan {
  writes: Write[];
  /** Differing from the last run (written, found equal, or missing). */
  changed: number;
  /** Not in Salesforce. */
  missing: number;
  /** What the next run compares with (writes are added once they succeed). */
  remembered: Record<string, Remembered>;
}

const digestOf = (fields: Record<string, unknown>): string => JSON.stringify(fields);

/**
 * What to write: a key whose fields equal what the last run wrote is left alone; one the last
 * run wrote is written by its remembered Id at once (no lookup); the others are looked up by
 * key and written only where Salesforce shows something else. `absent` marks a key Salesforce
 * did not have on this company day (not looked up again until the next day); without it a
 * missing key is looked up on every run.
 */
async function plan(
  wanted: Map<string, Record<string, unknown>>,
  previous: Record<string, Remembered> | undefined,
  absent: string | undefined,
  find: (keys: string[]) => Promise<Map<string, Record<string, unknown>>>,
): Promise<Plan> {
  const out: Plan = { writes: [], changed: 0, missing: 0, remembered: {} };
  const unknown: string[] = [];
  for (const [key, fields] of wanted) {
    const digest = digestOf(fields);
    const last = previous?.[key];
    if (last !== undefined && (last === absent || last.endsWith(` ${digest}`))) {
      out.remembered[key] = last;
      continue;
    }
    out.changed += 1;
    const id = last && !last.startsWith('absent@') ? last.slice(0, last.indexOf(' ')) : '';
    if (id) out.writes.push({ key, id, digest, fields });
    else unknown.push(key);
  }
  for (const keys of chunks(unknown, LOOKUP_CHUNK)) {
    const found = await find(keys);
    for (const key of keys) {
      const have = found.get(key.toUpperCase());
      const fields = wanted.get(key)!;
      const digest = digestOf(fields);
      if (!have) {
        out.missing += 1;
        if (absent) out.remembered[key] = absent;
      } else if (sameValues(fields, have)) out.remembered[key] = `${String(have.Id)} ${digest}`;
      else out.writes.push({ key, id: String(have.Id), digest, fields });
    }
  }
  return out;
}

async function lookup(
  sf: PaymentsDeps['salesforce'],
  soql: string,
  keyField: string,
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  for await (const r of sf.query<Record<string, unknown>>(soql))
    found.set(String(r[keyField]).toUpperCase(), r);
  return found;
}

/** Writes the plan by Id; returns the failures (not remembered: the next run looks them up again). */
async function write(sf: PaymentsDeps['salesforce'], object: string, p: Plan): Promise<number> {
  if (!p.writes.length) return 0;
  const results = await sf.updateMany(
    object,
    p.writes.map((w) => ({ Id: w.id, ...w.fields })),
    { allOrNone: false },
  );
  let failures = 0;
  results.forEach((r, i) => {
    const w = p.writes[i]!;
    if (r.success) p.remembered[w.key] = `${w.id} ${w.digest}`;
    else {
      failures += 1;
      delete p.remembered[w.key];
    }
  });
  return failures;
}
