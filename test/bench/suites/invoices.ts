/**
 * Invoices benchmark (flow 6) through the whole proxy against both emulators with emulated
 * latencies (F&O reads 20 ms, Salesforce 20 ms per call). The proxy runs in a process of its own
 * (as deployed): the emulators, the watcher and this runner share one event loop, and an ack
 * measured there would be the emulators' stalls as much as the proxy's.
 *
 *  1. events: ACK_N posted-invoice events sent to POST /v1/events/d365/<key> at 200 events/s from
 *     a thread of their own (as F&O sends from another machine);
 *     the ack latency (p50, p99) and, per invoice, the time from the event leaving "F&O" to its
 *     Invoice__c existing in Salesforce (p95); Salesforce API calls per 1,000 invoices.
 *  2. sweep: SWEEP_N invoices posted with events dropped, then one sweep of the company:
 *     seconds and F&O requests.
 *
 * Sizes: INVOICES_BENCH_ACK_N (default 2000), INVOICES_BENCH_SWEEP_N (default 20000).
 */
import type { ChildProcess } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import {
  ADMIN,
  seedSalesforce,
  sfId,
  spawnProxy,
  startHarness,
  waitFor,
} from '../../../proxy/test/flows/sync-harness.js';

const ACK_N = Number(process.env.INVOICES_BENCH_ACK_N ?? 2000);
const SWEEP_N = Number(process.env.INVOICES_BENCH_SWEEP_N ?? 20000);
const RATE = 200;
const KEY = 'bench_0123456789abcdefghijklmnopqrstuvwxyz';
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

export default async function run(): Promise<Record<string, number>> {
  const h = await startHarness({
    d365: { latency: { readMs: 20, writeMs: 20, batchBaseMs: 20, batchPerOperationMs: 2, jitter: 0.2 } },
    sfLatencyMs: 20,
  });
  const metrics: Record<string, number> = {};
  let proxy: { child: ChildProcess; url: string } | undefined;
  try {
    proxy = await spawnProxy(
      h.env({
        D365_EVENT_KEYS: KEY,
        INVOICE_SWEEP_CRON: 'off',
        JOB_POLL_MS: '20',
        TEST_D365_TOKEN_ENDPOINT: `${h.d365.url}/${h.d365.tenantId}/oauth2/v2.0/token`,
      }),
    );
    const proxyUrl = proxy.url;
    const admin = async (path: string, body?: unknown) => {
      const res = await fetch(`${proxyUrl}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          authorization: `Bearer ${ADMIN}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return (await res.json()) as { jobId?: string; state?: string };
    };
    const endpoint = `${proxyUrl}/v1/events/d365/${KEY}`;
    const customer = h.d365.control.rows('CustomersV3').find((c) => c.dataAreaId === 'usmf')!;
    const item = String(
      h.d365.control.rows('ReleasedProductsV2').find((p) => p.dataAreaId === 'usmf')!.ItemNumber,
    );
    seedSalesforce(h.sf, 'Account', [
      {
        Id: sfId('001', 1),
        Name: 'Bench',
        D365_Customer_Number__c: customer.CustomerAccount,
        D365_Legal_Entity__c: 'usmf',
      },
    ]);
    const post = (invoiceDate: string) =>
      h.d365.control.postInvoice({
        company: 'usmf',
        customerAccount: String(customer.CustomerAccount),
        lines: [
          { itemNumber: item, quantity: 2, price: 10.5 },
          { itemNumber: item, quantity: 1, price: 3.25 },
        ],
        invoiceDate,
      });

    // 1. Events: the envelopes F&O would send for these invoices, sent at RATE/s.
    const posted = Array.from({ length: ACK_N }, () => post('2026-10-01'));
    let control = 6_000_000_000;
    const envelopes = posted.map((p) =>
      JSON.stringify({
        BusinessEventId: 'SalesInvoicePostedBusinessEvent',
        BusinessEventLegalEntity: 'USMF',
        ContextRecordSubject: '',
        ControlNumber: (control += 3),
        EventId: crypto.randomUUID().toUpperCase(),
        EventTime: `/Date(${Date.now()})/`,
        EventTimeIso8601: new Date().toISOString(),
        InitiatingUserAADObjectId: '{6F5B6E5E-2C1A-4C1F-9E2B-0D1A7B3C9F10}',
        InvoiceAccount: p.customerAccount,
        InvoiceAmountInAccountingCurrency: p.amount,
        InvoiceDate: `/Date(${Date.parse(p.invoiceDate)})/`,
        InvoiceDueDate: `/Date(${Date.parse(p.dueDate)})/`,
        InvoiceId: p.invoiceNumber,
        InvoiceTaxAmount: p.taxAmount,
        LegalEntity: 'USMF',
        MajorVersion: 0,
        MinorVersion: 0,
        ParentContextRecordSubjects: [],
        SalesOrderId: '',
      }),
    );
    // The F&O test message, as the endpoint's registration sends it (Int64.MinValue control number).
    const testMessage = JSON.stringify({
      BusinessEventId: 'BusinessEventsTestEndpointContract',
      BusinessEventLegalEntity: '',
      ContextRecordSubject: '',
      ControlNumber: '__MIN__',
      EventId: crypto.randomUUID().toUpperCase(),
      EventTime: `/Date(${Date.now()})/`,
      EventTimeIso8601: new Date().toISOString(),
      InitiatingUserAADObjectId: '{6F5B6E5E-2C1A-4C1F-9E2B-0D1A7B3C9F10}',
      MajorVersion: 0,
      MinorVersion: 0,
      ParentContextRecordSubjects: [],
    }).replace('"__MIN__"', '-9223372036854775808');
    const sfBefore = h.sf.control.counters().apiUsed;
    // Watched while the events are sent: an invoice's time ends when it is first seen in
    // Salesforce (every 50 ms: each look copies every Invoice__c, on the proxy's event loop), not
    // when the last event has been sent.
    const wanted = new Set(posted.map((p) => `USMF|${p.invoiceNumber}`));
    const seenAtEpoch = new Map<string, number>();
    const watching = (async () => {
      const deadline = Date.now() + 300_000;
      while (seenAtEpoch.size < ACK_N && Date.now() < deadline) {
        const now = performance.timeOrigin + performance.now();
        for (const r of h.sf.control.records('Invoice__c')) {
          const ext = String(r.D365_Invoice_Id__c);
          if (wanted.has(ext) && !seenAtEpoch.has(ext)) seenAtEpoch.set(ext, now);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    // F&O sends from elsewhere: the sender runs on its own thread, so its HTTP client neither
    // takes the proxy's event loop nor waits for it to send on time (the emulators share it).
    const { acks, sentAtEpoch } = await sendFromThread(endpoint, envelopes, RATE, testMessage);
    await watching;
    const arrived = posted.flatMap((p, i) => {
      const seen = seenAtEpoch.get(`USMF|${p.invoiceNumber}`);
      return seen === undefined ? [] : [seen - sentAtEpoch[i]!];
    });
    metrics['events.ackP50Ms'] = round(pct(acks, 50), 2);
    metrics['events.ackP99Ms'] = round(pct(acks, 99), 2);
    metrics['invoices.delivered'] = arrived.length;
    metrics['invoices.postToSalesforceP95Ms'] = Math.round(pct(arrived, 95));
    metrics['invoices.sfCallsPer1000'] = Math.round(
      ((h.sf.control.counters().apiUsed - sfBefore) / ACK_N) * 1000,
    );

    // 2. Sweep: events dropped, SWEEP_N invoices on one day, one sweep.
    h.d365.control.dropBusinessEvents(true);
    for (let i = 0; i < SWEEP_N; i++) post('2026-11-02');
    const d365Before = h.d365.control.counters().requests.total;
    const sfSweepBefore = h.sf.control.counters().apiUsed;
    const t = performance.now();
    // A real run is queued (202): the sweep's time is its job's, until the job is done.
    const res = await admin('/v1/flows/invoices/run', { since: '2026-11-02', company: 'usmf' });
    await waitFor(
      `invoices job ${res.jobId}`,
      async () => (await admin(`/v1/jobs/${res.jobId}`)).state === 'done',
      600_000,
    );
    metrics['invoices.sweepSeconds'] = round((performance.now() - t) / 1000, 1);
    metrics['invoices.sweepD365Requests'] = h.d365.control.counters().requests.total - d365Before;
    metrics['invoices.sweepSfCalls'] = h.sf.control.counters().apiUsed - sfSweepBefore;
    metrics['invoices.sweepWritten'] = h.sf.control
      .records('Invoice__c')
      .filter((r) => String(r.Invoice_Date__c) === '2026-11-02').length;
    metrics['invoices.sweepInvoices'] = SWEEP_N;
  } finally {
    proxy?.child.kill('SIGKILL');
    await h.close();
  }
  return metrics;
}

/** The sender's thread: posts each envelope at its time (RATE/s), each ack's latency measured there. */
const SENDER = `
const { parentPort, workerData } = require('node:worker_threads');
const { endpoint, envelopes, rate, testMessage } = workerData;
const acks = [];
const sentAtEpoch = new Array(envelopes.length);
const post = (body) => fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
let started;
(async () => {
  // F&O sends its test message when the endpoint is registered. It also warms this thread's HTTP
  // client: the first fetch of a thread loads undici (~100 ms), the sender's cost, not the proxy's.
  for (let i = 0; i < 10; i++) {
    const res = await post(testMessage);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error('test message ' + res.status);
  }
  started = performance.now();
})().then(() => Promise.all(
  envelopes.map(async (body, i) => {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    sentAtEpoch[i] = performance.timeOrigin + t0;
    const res = await post(body);
    await res.arrayBuffer();
    if (res.status !== 202) throw new Error('ack ' + res.status);
    acks.push(performance.now() - t0);
  }),
)).then(() => parentPort.postMessage({ acks, sentAtEpoch }));
`;

function sendFromThread(
  endpoint: string,
  envelopes: string[],
  rate: number,
  testMessage: string,
): Promise<{ acks: number[]; sentAtEpoch: number[] }> {
  return new Promise((resolve, reject) => {
    // NODE_EXTRA_CA_CERTS and the rest of the environment are inherited.
    const worker = new Worker(SENDER, { eval: true, workerData: { endpoint, envelopes, rate, testMessage } });
    worker.once('message', (m: { acks: number[]; sentAtEpoch: number[] }) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}
