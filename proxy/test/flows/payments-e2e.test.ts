/**
 * Flow 7 end to end: the proxy built from config, the F&O emulator (payments posted through its
 * control API) and the Salesforce emulator, over real HTTP; runs through `POST /v1/flows/payments/run` (a dry run answers at once, a real run is queued as a
 * job) and, where a test reads a real run's counts, through the same run in process (`fno.runNow`).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runPaymentsSync } from '../../src/flows/payments/payments-sync.js';
import { sfId, startHarness, waitFor, type Harness, type Row } from './sync-harness.js';

let h: Harness;
const COMPANY = 'usmf';
let customer: string;
let item: string;
let accountId: string;

function invoiceId(n: string): string {
  return `${COMPANY.toUpperCase()}|${n}`;
}

/** Posts an invoice in F&O and gives Salesforce its Invoice__c (as the invoice sweep would). */
function postInvoice(opts: { invoiceDate?: string; dueDays?: number; qty?: number } = {}) {
  const inv = h.d365.control.postInvoice({
    company: COMPANY,
    customerAccount: customer,
    lines: [{ itemNumber: item, quantity: opts.qty ?? 2, price: 50 }],
    ...(opts.invoiceDate ? { invoiceDate: opts.invoiceDate } : {}),
    ...(opts.dueDays !== undefined ? { dueDays: opts.dueDays } : {}),
  });
  h.sf.control.putRecords('Invoice__c', [
    {
      Name: inv.invoiceNumber,
      D365_Invoice_Id__c: invoiceId(inv.invoiceNumber),
      Legal_Entity__c: COMPANY.toUpperCase(),
      Total_Amount__c: inv.amount,
      Currency_Code__c: inv.currencyCode,
      Payment_Status__c: 'Open',
      Amount_Remaining__c: inv.amount,
      Amount_Paid__c: 0,
      Account__c: accountId,
    },
  ]);
  return inv;
}

function sfInvoice(n: string): Row {
  const r = h.sf.control.records('Invoice__c').find((x) => x.D365_Invoice_Id__c === invoiceId(n));
  if (!r) throw new Error(`no Invoice__c ${n}`);
  return r;
}

const run = (body: Row) => h.admin('/v1/flows/payments/run', { method: 'POST', body });

/**
 * One run for COMPANY: a dry run through the route (200 with the counts); a real one queued
 * through the route and followed to its job's end, then its counts from a run in process.
 */
async function sync(body: Row = { company: COMPANY }): Promise<{ status: number; body: Row }> {
  if (body.dryRun) return run(body);
  const res = await run(body);
  if (res.status !== 202) return res;
  await waitFor(
    `payments job ${res.body.jobId}`,
    async () => {
      const job = await h.admin(`/v1/jobs/${res.body.jobId}`);
      if (job.body.state === 'dead')
        throw new Error(`payments run dead-lettered: ${JSON.stringify(job.body)}`);
      return job.body.state === 'done';
    },
    20_000,
  );
  return { status: 200, body: { jobId: res.body.jobId } };
}

/** A real run in process (as the CLI does), for its counts. */
const runNow = () => h.proxy.runtime.fno.runNow('payments', { company: COMPANY, full: false, dryRun: false });

/** Salesforce calls that can write: single-record, upsert, collections, Bulk API. */
function writes(): number {
  const { byKind } = h.sf.control.counters();
  return ['sobject', 'upsert', 'collections', 'composite', 'bulk'].reduce((s, k) => s + (byKind[k] ?? 0), 0);
}

beforeAll(async () => {
  h = await startHarness();
  await h.start();
  const cust = h.d365.control.rows('CustomersV3', { company: COMPANY })[0]!;
  customer = String(cust.CustomerAccount);
  item = String(h.d365.control.rows('ReleasedProductsV2', { company: COMPANY })[0]!.ItemNumber);
  accountId = sfId('001', 1);
  h.sf.control.putRecords('Account', [
    {
      Id: accountId,
      Name: 'Payments customer',
      D365_Customer_Number__c: customer,
      D365_Legal_Entity__c: COMPANY,
    },
  ]);
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => h.sf.control.resetCounters());

describe('payment status and standing, F&O → Salesforce', () => {
  it('a partial payment → Partially paid with the remaining amount; a full payment → Paid', async () => {
    const inv = postInvoice({ qty: 4 }); // 200.00, due in 30 days
    h.d365.control.postPayment({
      company: COMPANY,
      customerAccount: customer,
      amount: 75.5,
      invoiceNumber: inv.invoiceNumber,
    });
    let res = await sync();
    expect(res.status).toBe(200);
    expect(sfInvoice(inv.invoiceNumber)).toMatchObject({
      Payment_Status__c: 'Partially paid',
      Amount_Remaining__c: 124.5,
      Amount_Paid__c: 75.5,
    });
    expect(sfInvoice(inv.invoiceNumber).Last_Payment_Date__c).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    h.d365.control.postPayment({
      company: COMPANY,
      customerAccount: customer,
      amount: 124.5,
      invoiceNumber: inv.invoiceNumber,
    });
    res = await sync();
    expect(res.status).toBe(200);
    expect(sfInvoice(inv.invoiceNumber)).toMatchObject({
      Payment_Status__c: 'Paid',
      Amount_Remaining__c: 0,
      Amount_Paid__c: 200,
    });
  });

  it('an unpaid invoice past its due date → Overdue, and the overdue amount on Account', async () => {
    const inv = postInvoice({ invoiceDate: '2026-01-05', dueDays: 30 });
    const res = await sync();
    expect(res.status).toBe(200);
    expect(sfInvoice(inv.invoiceNumber)).toMatchObject({
      Payment_Status__c: 'Overdue',
      Amount_Remaining__c: 100,
    });
    const account = h.sf.control.record('Account', accountId)!;
    expect(Number(account.D365_Overdue_Amount__c)).toBeGreaterThanOrEqual(100);
    expect(Number(account.D365_Balance__c)).toBeGreaterThanOrEqual(100);
    expect(account.D365_Standing_Currency__c).toBe('USD');
    expect(account.D365_Standing_Refreshed__c).toBeTruthy();
  });

  it('a customer put on hold → the Account on-hold status and credit limit', async () => {
    h.d365.control.setCustomerStanding({
      company: COMPANY,
      customerAccount: customer,
      onHoldStatus: 'All',
      creditLimit: 5000,
    });
    const res = await sync();
    expect(res.status).toBe(200);
    expect(h.sf.control.record('Account', accountId)).toMatchObject({
      D365_On_Hold_Status__c: 'All',
      D365_Credit_Limit__c: 5000,
    });
  });

  it('a payment in another currency settles the invoice in its own currency', async () => {
    const inv = postInvoice({ qty: 2 }); // 100.00 USD
    h.d365.control.postForeignPayment({
      company: COMPANY,
      customerAccount: customer,
      invoiceNumber: inv.invoiceNumber,
      amount: 50,
      currencyCode: 'EUR',
      exchangeRate: 1.1,
    });
    expect((await sync()).status).toBe(200);
    expect(sfInvoice(inv.invoiceNumber)).toMatchObject({
      Payment_Status__c: 'Partially paid',
      Amount_Paid__c: 55,
      Amount_Remaining__c: 45,
    });
  });

  it('a credit note settled against an invoice: the invoice partly paid, the credit note Paid', async () => {
    const inv = postInvoice({ qty: 2 }); // 100.00
    const cn = postInvoice({ qty: -1 }); // -50.00
    h.d365.control.settleCreditNote({
      company: COMPANY,
      creditNote: cn.invoiceNumber,
      invoice: inv.invoiceNumber,
    });
    expect((await sync()).status).toBe(200);
    expect(sfInvoice(inv.invoiceNumber)).toMatchObject({
      Payment_Status__c: 'Partially paid',
      Amount_Remaining__c: 50,
    });
    expect(sfInvoice(cn.invoiceNumber)).toMatchObject({ Payment_Status__c: 'Paid', Amount_Remaining__c: 0 });
  });

  it('nothing changed → zero Salesforce writes', async () => {
    await sync();
    h.sf.control.resetCounters();
    expect((await sync()).status).toBe(200);
    expect(writes()).toBe(0);
    const res = await runNow();
    expect(res.counts).toMatchObject({
      invoicesWritten: 0,
      accountsWritten: 0,
      accountsChanged: 0,
      awaitingInvoice: expect.any(Number),
    });
    expect(writes()).toBe(0);
  });

  it('a payment for an invoice Salesforce does not have is counted, not dead-lettered; dry run writes nothing', async () => {
    const inv = h.d365.control.postInvoice({
      company: COMPANY,
      customerAccount: customer,
      lines: [{ itemNumber: item, quantity: 1, price: 10 }],
    });
    h.d365.control.postPayment({
      company: COMPANY,
      customerAccount: customer,
      amount: 4,
      invoiceNumber: inv.invoiceNumber,
    });
    const dry = await sync({ company: COMPANY, dryRun: true });
    expect(dry.status).toBe(200);
    expect((dry.body.counts as Row).awaitingInvoice).toBeGreaterThanOrEqual(1);
    expect(writes()).toBe(0);
    expect((await sync()).status).toBe(200);
    const res = await runNow();
    expect(res.counts.awaitingInvoice).toBeGreaterThanOrEqual(1);
    const dead = await h.admin('/v1/dead-letters');
    expect(dead.status).toBe(200);
    expect(JSON.stringify(dead.body)).not.toContain('payments');
  });

  it('an unchanged standing gets only its refresh time rewritten once older than the refresh interval', async () => {
    const { d365, salesforce, store } = h.proxy.runtime;
    const deps = (at: number) => ({
      d365: d365!,
      salesforce: salesforce!,
      store,
      timeZones: {},
      currencies: { usmf: 'USD' },
      refreshAfterMinutes: 90,
      clock: () => at,
    });
    const t0 = Date.now();
    await runPaymentsSync({ company: COMPANY, dryRun: false }, deps(t0));
    const soon = await runPaymentsSync({ company: COMPANY, dryRun: false }, deps(t0 + 30 * 60_000));
    expect(soon).toMatchObject({ accountsWritten: 0, accountsRefreshed: 0 });
    const later = t0 + 91 * 60_000;
    const res = await runPaymentsSync({ company: COMPANY, dryRun: false }, deps(later));
    expect(res.accountsRefreshed).toBeGreaterThanOrEqual(1);
    expect(h.sf.control.record('Account', accountId)!.D365_Standing_Refreshed__c).toBe(
      new Date(later).toISOString().replace('Z', '+0000'),
    );
  });

  it('the schedule (PAYMENTS_SYNC_CRON) runs the flow as a job', async () => {
    await h.stop();
    await h.start({ PAYMENTS_SYNC_CRON: '* * * * * *' }); // every second
    try {
      const inv = postInvoice({ qty: 2 });
      h.d365.control.postPayment({
        company: COMPANY,
        customerAccount: customer,
        amount: 100,
        invoiceNumber: inv.invoiceNumber,
      });
      await waitFor(
        'the scheduled payments run',
        () => sfInvoice(inv.invoiceNumber).Payment_Status__c === 'Paid',
      );
    } finally {
      await h.stop();
      await h.start();
    }
  });

  it('an unknown company is a problem with a stable code', async () => {
    const res = await sync({ company: 'zzzz' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('UNKNOWN_COMPANY');
  });
});
