/**
 * Flow 6 in groups, over HTTP against both emulators: invoice events that arrive together are
 * read from F&O and written to Salesforce together, and each invoice still ends on its own — one
 * whose customer is missing retries and dead-letters alone; events for the same invoice in one
 * burst leave one job, at the newest ControlNumber.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deadLetters,
  seedSalesforce,
  sfId,
  startHarness,
  waitFor,
  type Harness,
  type Row,
} from '../sync-harness.js';

const EVENT_KEY = 'evk_groups-0123456789abcdefghijklmnopqrstu';

describe('invoice events in groups', () => {
  let h: Harness;
  let customer: Row;
  let stranger: Row;
  let item: string;
  let control = 7_000_000_000n;

  beforeAll(async () => {
    h = await startHarness();
    // One claim per 700 ms: a burst of events meets in one group.
    await h.start({ D365_EVENT_KEYS: EVENT_KEY, INVOICE_BATCH_MS: '700', JOB_MAX_ATTEMPTS: '2' });
    const customers = h.d365.control.rows('CustomersV3').filter((c) => c.dataAreaId === 'usmf');
    customer = customers[0]!;
    stranger = customers.at(-1)!;
    item = String(h.d365.control.rows('ReleasedProductsV2').find((p) => p.dataAreaId === 'usmf')!.ItemNumber);
    seedSalesforce(h.sf, 'Account', [
      {
        Id: sfId('001', 1),
        Name: 'Grouped',
        D365_Customer_Number__c: customer.CustomerAccount,
        D365_Legal_Entity__c: 'usmf',
      },
    ]);
  }, 30_000);

  afterAll(async () => {
    await h?.close();
  });

  const post = (who: Row) =>
    h.d365.control.postInvoice({
      company: 'usmf',
      customerAccount: String(who.CustomerAccount),
      lines: [
        { itemNumber: item, quantity: 2, price: 10.5 },
        { itemNumber: item, quantity: 1, price: 3.25 },
      ],
      invoiceDate: '2026-10-01',
    });

  /** The event F&O sends for a posted invoice (the reference's envelope), with a ControlNumber. */
  const envelope = (
    invoiceId: string,
    account: string,
    controlNumber = (control += 5n),
    eventId = crypto.randomUUID(),
  ) =>
    `{"BusinessEventId":"SalesInvoicePostedBusinessEvent","BusinessEventLegalEntity":"USMF","ContextRecordSubject":"","ControlNumber":${controlNumber},"EventId":"${eventId.toUpperCase()}","EventTime":"/Date(${Date.now()})/","EventTimeIso8601":"${new Date().toISOString()}","InitiatingUserAADObjectId":"{6F5B6E5E-2C1A-4C1F-9E2B-0D1A7B3C9F10}","InvoiceAccount":"${account}","InvoiceAmountInAccountingCurrency":24.25,"InvoiceDate":"/Date(1790856000000)/","InvoiceDueDate":"/Date(-2208988800000)/","InvoiceId":"${invoiceId}","InvoiceTaxAmount":0.0,"LegalEntity":"USMF","MajorVersion":0,"MinorVersion":0,"ParentContextRecordSubjects":[],"SalesOrderId":""}`;

  const send = async (body: string) => {
    const res = await fetch(`${h.proxy.url}/v1/events/d365/${EVENT_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return { status: res.status, body: (await res.json()) as { outcome: string; jobId?: string } };
  };
  const job = async (id: string) => (await h.admin(`/v1/jobs/${id}`)).body;
  const invoiceRecords = (number: string) =>
    h.sf.control.records('Invoice__c').filter((r) => r.D365_Invoice_Id__c === `USMF|${number}`);

  it('writes a burst of invoices in a few Salesforce calls; the one whose customer is missing fails alone', async () => {
    const good = Array.from({ length: 6 }, () => post(customer));
    const bad = post(stranger);
    const apiBefore = h.sf.control.counters().apiUsed;
    const acks = await Promise.all(
      [...good, bad].map((p) => send(envelope(p.invoiceNumber, String(p.customerAccount)))),
    );
    expect(acks.map((a) => a.status)).toEqual(Array(7).fill(202));
    await waitFor(
      'the six invoices with their lines',
      () =>
        good.every((p) => invoiceRecords(p.invoiceNumber).length === 1) &&
        h.sf.control.records('Invoice_Line__c').length >= 12,
    );
    // One group: Accounts query, Invoice__c upsert, Invoice_Line__c upsert (new invoices need no
    // lookup of their lines). Two groups at most if the burst straddled a claim: 6 calls; one job
    // per invoice would be ≥ 18.
    expect(h.sf.control.counters().apiUsed - apiBefore).toBeLessThanOrEqual(6);
    for (const a of acks.slice(0, 6)) expect((await job(a.body.jobId!)).state).toBe('done');
    // The stranger's invoice retried on its own, then became a clear dead letter.
    const dead = await waitFor(
      'dead letter',
      async () => (await deadLetters(h, 'invoice')).find((j) => j.key === `USMF|${bad.invoiceNumber}`),
      15_000,
    );
    expect(dead).toMatchObject({ attempts: 2, lastError: { code: 'CUSTOMER_NOT_IN_SALESFORCE' } });
    expect(dead.lastError.message).toContain(String(stranger.CustomerAccount));
    expect(invoiceRecords(bad.invoiceNumber)).toEqual([]);
  }, 30_000);

  it('keeps one job per invoice in a burst: the newest ControlNumber runs, older and repeated events never do', async () => {
    const p = post(customer);
    const other = post(customer);
    const account = String(p.customerAccount);
    const base = control;
    const newest = envelope(p.invoiceNumber, account, base + 100n);
    const results = [
      await send(envelope(p.invoiceNumber, account, base + 10n)),
      await send(newest),
      await send(envelope(p.invoiceNumber, account, base + 50n)),
      await send(newest),
      await send(envelope(other.invoiceNumber, account)),
    ];
    // The first event may have been claimed already when the newest arrived (then the newest
    // waits behind it); otherwise the newest replaces it before it runs.
    expect(['superseded-older', 'queued-behind']).toContain(results[1]!.body.outcome);
    expect(results.map((r) => r.body.outcome)).toEqual([
      'enqueued',
      results[1]!.body.outcome,
      'stale',
      'duplicate',
      'enqueued',
    ]);
    const ran = await waitFor('the newest event done', async () => {
      const j = await job(results[1]!.body.jobId!);
      return j.state === 'done' && j;
    });
    await waitFor('the other invoice', () => invoiceRecords(other.invoiceNumber).length);
    expect(invoiceRecords(p.invoiceNumber)).toHaveLength(1);
    expect(ran).toMatchObject({ attempts: 1, version: expect.stringContaining(String(base + 100n)) });
    expect(await job(results[2]!.body.jobId!)).toMatchObject({ state: 'superseded', attempts: 0 });
    const first = await job(results[0]!.body.jobId!);
    if (results[1]!.body.outcome === 'superseded-older')
      expect(first).toMatchObject({ state: 'superseded', attempts: 0 });
    else expect(first.state === 'done' && first.finishedAt <= ran.finishedAt).toBe(true);
    // Lines written once each, under the one Invoice__c.
    const lines = h.sf.control
      .records('Invoice_Line__c')
      .filter((l) => String(l.D365_Invoice_Line_Id__c).startsWith(`USMF|${p.invoiceNumber}|`));
    expect(lines).toHaveLength(2);
  }, 20_000);
});
