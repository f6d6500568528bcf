/**
 * Flow 6 end to end over HTTP: the F&O emulator posts an invoice and delivers its business event
 * to the proxy's endpoint; the proxy reads the invoice and writes Invoice__c with its lines into
 * the Salesforce emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturingLogger } from '../../http/helpers.js';
import {
  deadLetters,
  seedSalesforce,
  sfId,
  startHarness,
  waitFor,
  type Harness,
  type Row,
} from '../sync-harness.js';

const EVENT_KEY = 'evk_0123456789abcdefghijklmnopqrstuvwxyz';
const OLD_KEY = 'evk_previous-key-0123456789abcdefghijkl';

describe('invoice business events end to end', () => {
  let h: Harness;
  const capture = capturingLogger('debug');
  let endpoint: string;
  let customer: Row;
  let items: string[];

  beforeAll(async () => {
    h = await startHarness({ logger: capture.logger });
    await h.start({ D365_EVENT_KEYS: `${OLD_KEY},${EVENT_KEY}`, JOB_MAX_ATTEMPTS: '3' });
    endpoint = `${h.proxy.url}/v1/events/d365/${EVENT_KEY}`;
    customer = h.d365.control.rows('CustomersV3').find((c) => c.dataAreaId === 'usmf')!;
    items = h.d365.control
      .rows('ReleasedProductsV2')
      .filter((p) => p.dataAreaId === 'usmf')
      .slice(0, 2)
      .map((p) => String(p.ItemNumber));
    seedSalesforce(h.sf, 'Account', [
      {
        Id: sfId('001', 1),
        Name: 'Invoice customer',
        D365_Customer_Number__c: customer.CustomerAccount,
        D365_Legal_Entity__c: 'usmf',
      },
    ]);
  }, 30_000);

  afterAll(async () => {
    await h?.close();
  });

  const invoicesInSalesforce = () => h.sf.control.records('Invoice__c');

  it('answers the F&O test message with a 2xx on the first try, and stores nothing', async () => {
    const delivery = await h.d365.control.registerBusinessEventEndpoint(endpoint);
    expect(delivery).toMatchObject({ delivered: true, attempts: 1, lastStatus: 200 });
    expect(h.d365.control.rows('SalesInvoiceHeadersV2').length).toBeGreaterThanOrEqual(0);
  });

  it('refuses a wrong key with 401 and no detail', async () => {
    const body = JSON.parse(h.d365.control.businessEvents()[0]!.payload) as Row;
    for (const key of ['wrong-key-0123456789abcdefghijklmnopq', EVENT_KEY.slice(0, -1), '']) {
      const res = await fetch(`${h.proxy.url}/v1/events/d365/${key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(401);
      const text = await res.text();
      expect(text).not.toContain(key || 'never');
    }
  });

  it('turns a posted invoice into Invoice__c with its lines, exact money and the same calendar day', async () => {
    const posted = h.d365.control.postInvoice({
      company: 'usmf',
      customerAccount: String(customer.CustomerAccount),
      lines: [
        { itemNumber: items[0]!, quantity: 3, price: 19.99 },
        { itemNumber: items[1]!, quantity: 1.5, price: 100.1 },
      ],
      invoiceDate: '2026-07-14',
      dueDays: 30,
      taxRate: 0.0825,
    });
    await h.d365.control.flushBusinessEvents();
    const ext = `USMF|${posted.invoiceNumber}`;
    const invoice = await waitFor('Invoice__c', () =>
      invoicesInSalesforce().find((r) => r.D365_Invoice_Id__c === ext),
    );
    const header = h.d365.control
      .rows('SalesInvoiceHeadersV2')
      .find((r) => r.InvoiceNumber === posted.invoiceNumber)!;
    expect(invoice).toMatchObject({
      Name: posted.invoiceNumber,
      Invoice_Date__c: '2026-07-14',
      Due_Date__c: '2026-08-13',
      Total_Amount__c: header.TotalInvoiceAmount,
      Tax_Amount__c: header.TotalTaxAmount,
      Legal_Entity__c: 'USMF',
      Invoice_Status__c: 'Posted',
      Currency_Code__c: header.CurrencyCode,
    });
    // The emulator answers the 18-character form of the seeded Account's Id.
    expect(String(invoice.Account__c).slice(0, 15)).toBe(sfId('001', 1).slice(0, 15));
    // 3 × 19.99 + 1.5 × 100.10 = 59.97 + 150.15 = 210.12; tax 8.25 % = 17.33 (half up).
    expect(invoice.Net_Amount__c).toBe(210.12);
    expect(invoice.Tax_Amount__c).toBe(17.33);
    expect(invoice.Total_Amount__c).toBe(227.45);
    const lines = await waitFor('lines', () => {
      const l = h.sf.control
        .records('Invoice_Line__c')
        .filter((r) => String(r.Invoice__c).slice(0, 15) === String(invoice.Id).slice(0, 15));
      return l.length === 2 && l;
    });
    const sorted = [...lines].sort((a, b) => Number(a.Line_Number__c) - Number(b.Line_Number__c));
    expect(sorted.map((l) => [l.Item_Number__c, l.Quantity__c, l.Unit_Price__c, l.Line_Amount__c])).toEqual([
      [items[0], 3, 19.99, 59.97],
      [items[1], 1.5, 100.1, 150.15],
    ]);
    expect(sorted[0]!.D365_Invoice_Line_Id__c).toMatch(new RegExp(`^USMF\\|${posted.invoiceNumber}\\|\\d+$`));
  });

  it('makes a redelivered event a no-op and ignores an older one for the same invoice', async () => {
    const last = h.d365.control
      .businessEvents()
      .filter((d) => d.businessEventId === 'SalesInvoicePostedBusinessEvent')
      .at(-1)!;
    const send = async (payload: string) => {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
      });
      return { status: res.status, body: (await res.json()) as Row };
    };
    expect(await send(last.payload)).toMatchObject({ status: 202, body: { outcome: 'duplicate' } });
    const older = last.payload
      .replace(`"ControlNumber":${last.controlNumber}`, `"ControlNumber":${BigInt(last.controlNumber) - 1n}`)
      .replace(last.eventId, '11111111-2222-3333-4444-555555555555');
    expect(await send(older)).toMatchObject({ status: 202, body: { outcome: 'stale' } });
    // The old key still works while F&O is being switched to the new one.
    const res = await fetch(`${h.proxy.url}/v1/events/d365/${OLD_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: last.payload,
    });
    expect(res.status).toBe(202);
  });

  it('accepts an event no flow handles, and refuses a body that is not an envelope with 400', async () => {
    const last = h.d365.control.businessEvents().at(-1)!;
    const other = last.payload.replace(
      'SalesInvoicePostedBusinessEvent',
      'CustomerPaymentPostedBusinessEvent',
    );
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: other,
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ outcome: 'ignored' });
    const bad = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"x":1}',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'INVALID_BUSINESS_EVENT' });
  });

  it('accepts a free-text invoice event and counts it, without a job that could only dead-letter', async () => {
    const last = h.d365.control
      .businessEvents()
      .filter((d) => d.businessEventId === 'SalesInvoicePostedBusinessEvent')
      .at(-1)!;
    const freeText = last.payload
      .replace('SalesInvoicePostedBusinessEvent', 'CustFreeTextInvoicePostedBusinessEvent')
      .replace(last.eventId, '99999999-2222-3333-4444-555555555555')
      .replace(/"InvoiceId":"[^"]*"/, '"InvoiceId":"FTI-000001"');
    const invoiceJobs = async () =>
      (await h.proxy.runtime.store.stats()).counts
        .filter((c) => c.flow === 'invoice')
        .reduce((n, c) => n + c.count, 0);
    const before = await invoiceJobs();
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: freeText,
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ outcome: 'ignored' });
    expect(await invoiceJobs()).toBe(before);
    expect(await h.proxy.registry.metrics()).toMatch(
      /fobridge_business_events_total\{business_event_id="CustFreeTextInvoicePostedBusinessEvent",outcome="ignored"\} 1/,
    );
  });

  it('waits for a customer not yet in Salesforce, then dead-letters with that reason', async () => {
    const stranger = h.d365.control
      .rows('CustomersV3')
      .filter((c) => c.dataAreaId === 'usmf')
      .at(-1)!;
    const posted = h.d365.control.postInvoice({
      company: 'usmf',
      customerAccount: String(stranger.CustomerAccount),
      lines: [{ itemNumber: items[0]!, quantity: 1, price: 10 }],
    });
    await h.d365.control.flushBusinessEvents();
    const dead = await waitFor(
      'dead letter',
      async () => (await deadLetters(h, 'invoice')).find((j) => j.key === `USMF|${posted.invoiceNumber}`),
      15_000,
    );
    expect(dead.attempts).toBe(3);
    expect(dead.lastError).toMatchObject({ code: 'CUSTOMER_NOT_IN_SALESFORCE' });
    expect(dead.lastError.message).toContain(String(stranger.CustomerAccount));
    expect(invoicesInSalesforce().some((r) => r.Name === posted.invoiceNumber)).toBe(false);
  }, 20_000);

  it('never writes the path key to the log or the metrics', async () => {
    const log = capture.lines.join('');
    expect(log).toContain('/v1/events/d365/[redacted]');
    for (const key of [EVENT_KEY, OLD_KEY]) expect(log).not.toContain(key);
    const metrics = await h.proxy.registry.metrics();
    expect(metrics).toContain('fobridge_business_events_total');
    for (const key of [EVENT_KEY, OLD_KEY]) expect(metrics).not.toContain(key);
  });
});
