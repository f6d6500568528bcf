import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { D365Emulator } from './index.js';
import { odataClient, startTestEmulator } from './test-helpers.js';

interface Received {
  path: string;
  body: string;
}

let emu: D365Emulator;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
let failNext = 0;

beforeAll(async () => {
  emu = await startTestEmulator({ timeScale: 0.05 });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body });
      if (failNext > 0) {
        failNext--;
        res.statusCode = 500;
      } else res.statusCode = 202;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
});
afterAll(async () => {
  await emu.close();
  await new Promise((r) => receiver.close(r));
});

describe('business events', () => {
  it('sends the test event on registration', async () => {
    const record = await emu.control.registerBusinessEventEndpoint(`${receiverUrl}/events`);
    expect(record).toMatchObject({
      delivered: true,
      attempts: 1,
      businessEventId: 'BusinessEventsTestEndpointContract',
      lastStatus: 202,
    });
    const last = received.at(-1)!;
    expect(last.path).toBe('/events');
    expect(last.body).toContain('"ControlNumber":-9223372036854775808');
    expect(JSON.parse(last.body).BusinessEventId).toBe('BusinessEventsTestEndpointContract');
  });

  it('delivers SalesInvoicePostedBusinessEvent with the real envelope when an invoice is posted, with increasing control numbers', async () => {
    const od = await odataClient(emu);
    const header = await od.send('POST', 'SalesOrderHeadersV2', {
      OrderingCustomerAccountNumber: 'US-005',
      CustomersOrderReference: 'OPP-BE',
    });
    await od.send('POST', 'SalesOrderLines', {
      SalesOrderNumber: header.json.SalesOrderNumber,
      ItemNumber: 'D0001',
      OrderedSalesQuantity: 2,
      SalesPrice: 100,
    });
    const before = received.length;
    const invoice = emu.control.postInvoice({ salesOrderNumber: header.json.SalesOrderNumber, dueDays: 30 });
    const second = emu.control.postInvoice({
      customerAccount: 'US-006',
      lines: [{ itemNumber: 'L0002', quantity: 1, price: 50 }],
    });
    await emu.control.flushBusinessEvents();
    const events = received.slice(before).map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(events).toHaveLength(2);
    const e = events.find((x) => x.InvoiceId === invoice.invoiceNumber)!;
    expect(Object.keys(e)).toEqual([...Object.keys(e)].sort());
    expect(e).toMatchObject({
      BusinessEventId: 'SalesInvoicePostedBusinessEvent',
      BusinessEventLegalEntity: 'USMF',
      LegalEntity: 'USMF',
      ContextRecordSubject: '',
      InvoiceAccount: 'US-005',
      InvoiceAmountInAccountingCurrency: 200,
      InvoiceTaxAmount: 0,
      SalesOrderId: header.json.SalesOrderNumber,
      MajorVersion: 0,
      MinorVersion: 0,
      ParentContextRecordSubjects: [],
    });
    expect(e.EventId).toMatch(/^[0-9A-F-]{36}$/);
    expect(e.EventTime).toMatch(/^\/Date\(\d+\)\/$/);
    expect(e.EventTimeIso8601).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    expect(e.InitiatingUserAADObjectId).toMatch(/^\{[0-9A-F-]{36}\}$/);
    const dueMs = Number(/\d+/.exec(String(e.InvoiceDueDate))![0]);
    expect(new Date(dueMs).toISOString().slice(0, 10)).toBe(invoice.dueDate.slice(0, 10));
    const [c1, c2] = events.map((x) => Number(x.ControlNumber));
    expect(c2).toBeGreaterThan(c1!);
    expect(second.salesOrderNumber).toBe('');

    // The posting is visible over OData: header, lines, journal with due date, open transaction; order invoiced.
    const inv = await od.get(
      `SalesInvoiceHeadersV2?$filter=InvoiceNumber eq '${invoice.invoiceNumber}'&$expand=SalesInvoiceLinesV2`,
    );
    expect(inv.json.value[0]).toMatchObject({
      TotalInvoiceAmount: 200,
      SalesOrderNumber: header.json.SalesOrderNumber,
    });
    expect(inv.json.value[0].SalesInvoiceLinesV2[0]).toMatchObject({
      ProductNumber: 'D0001',
      InvoicedQuantity: 2,
    });
    const jour = await od.get(`CustInvoiceJourBiEntities?$filter=InvoiceId eq '${invoice.invoiceNumber}'`);
    expect(jour.json.value[0].DueDate).toBe(invoice.dueDate);
    const order = await od.get(
      `SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='${header.json.SalesOrderNumber}')`,
    );
    expect(order.json.SalesOrderStatus).toBe('Invoiced');

    // Payments settle the invoice: CustTransactions closed, CustTransOpens gone.
    emu.control.postPayment({ customerAccount: 'US-005', amount: 200, invoiceNumber: invoice.invoiceNumber });
    const trans = await od.get(
      `CustTransactions?$filter=Invoice eq '${invoice.invoiceNumber}'&$expand=CustTransOpen`,
    );
    expect(trans.json.value[0]).toMatchObject({ SettleAmountCur: 200, AmountCur: 200, CustTransOpen: null });
    expect(trans.json.value[0].Closed).not.toBe('1900-01-01T12:00:00Z');
  });

  it('retries a failing endpoint 3 times, 1 s apart (scaled by timeScale)', async () => {
    failNext = 5;
    const before = received.length;
    const t0 = Date.now();
    emu.control.postInvoice({ customerAccount: 'US-007', lines: [{ itemNumber: 'D0001', quantity: 1 }] });
    await emu.control.flushBusinessEvents();
    expect(received.length - before).toBe(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95); // 2 waits × 1000 ms × 0.05
    const last = emu.control.businessEvents().at(-1)!;
    expect(last).toMatchObject({ delivered: false, attempts: 3, lastStatus: 500 });
    expect(emu.control.counters().businessEventsFailed).toBe(1);
    failNext = 0;
  });
});
