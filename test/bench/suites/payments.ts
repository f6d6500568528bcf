/**
 * Flow 7 (payment status and standing): F&O requests and Salesforce API calls per run, against
 * both emulators over real HTTP. 10,000 open invoices across 2,000 customers (BENCH_PAYMENTS_INVOICES
 * scales it down on a loaded machine, 5 invoices per customer); after a first full run, 5 % of
 * the invoices get a partial payment (each of a different customer), then the incremental run
 * is measured:
 *   payments.d365Requests   F&O requests of the incremental run   (goal ≤ 20)
 *   payments.sfCalls        Salesforce API calls of it            (goal ≤ 10)
 *   payments.wallSeconds    its wall time
 * plus the first run's and an unchanged run's figures. Token requests are not counted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createD365Client } from '../../../proxy/src/d365/index.js';
import { d365Settings } from '../../../proxy/src/d365/options-from-config.js';
import { loadConfig } from '../../../proxy/src/config.js';
import { runPaymentsSync } from '../../../proxy/src/flows/payments/payments-sync.js';
import { openStore } from '../../../proxy/src/jobs/store.js';
import { createSalesforceClient } from '../../../proxy/src/salesforce/index.js';
import { startD365Emulator } from '../../emulators/d365/index.js';
import { startSalesforceEmulator } from '../../emulators/salesforce/index.js';

const INVOICES = Number(process.env.BENCH_PAYMENTS_INVOICES ?? 10_000);
const CUSTOMERS = Math.max(1, Math.round(INVOICES / 5));
const CHANGED = Math.round(INVOICES * 0.05);
const COMPANY = 'usmf';
const EMPTY = '1900-01-01T12:00:00Z';

export default async function run(): Promise<Record<string, number>> {
  const d365 = await startD365Emulator({
    seed: 'empty',
    httpsPort: false,
    latency: { readMs: 0, writeMs: 0, jitter: 0 },
  });
  const sf = await startSalesforceEmulator({ seed: 'empty' });
  const dir = mkdtempSync(join(tmpdir(), 'fobridge-bench-payments-'));
  const store = await openStore(`sqlite:${join(dir, 'bridge.db')}`);
  try {
    const today = new Date().toISOString().slice(0, 10);
    const customer = (c: number) => `BP-${String(c).padStart(6, '0')}`;
    const invoice = (i: number) => `CIV-${String(i).padStart(6, '0')}`;
    d365.control.putRows(
      'CustomersV3',
      Array.from({ length: CUSTOMERS }, (_, c) => ({
        dataAreaId: COMPANY,
        CustomerAccount: customer(c),
        OrganizationName: `Customer ${c}`,
        CreditLimit: 10_000,
        OnHoldStatus: 'No',
      })),
    );
    const due = (i: number) => `2027-0${1 + (i % 6)}-15T12:00:00Z`;
    d365.control.putRows(
      'CustTransactions',
      Array.from({ length: INVOICES }, (_, i) => ({
        dataAreaId: COMPANY,
        SysRecId: 5_637_000_000 + i,
        AccountNum: customer(i % CUSTOMERS),
        Invoice: invoice(i),
        Voucher: `ARI-${i}`,
        TransDate: '2026-11-01T12:00:00Z',
        DueDate: due(i),
        AmountCur: 1000,
        AmountMST: 1000,
        SettleAmountCur: 0,
        CurrencyCode: 'USD',
        Closed: EMPTY,
        LastSettleDate: EMPTY,
        TransType: 'Sales',
      })),
    );
    d365.control.putRows(
      'CustTransOpens',
      Array.from({ length: INVOICES }, (_, i) => ({
        dataAreaId: COMPANY,
        SysRecId: 5_638_000_000 + i,
        RefRecId: 5_637_000_000 + i,
        AccountNum: customer(i % CUSTOMERS),
        AmountCur: 1000,
        AmountMST: 1000,
        DueDate: due(i),
        TransDate: '2026-11-01T12:00:00Z',
      })),
    );
    sf.control.putRecords(
      'Account',
      Array.from({ length: CUSTOMERS }, (_, c) => ({
        Name: `Customer ${c}`,
        D365_Customer_Number__c: customer(c),
        D365_Legal_Entity__c: COMPANY,
      })),
    );
    sf.control.putRecords(
      'Invoice__c',
      Array.from({ length: INVOICES }, (_, i) => ({
        Name: invoice(i),
        D365_Invoice_Id__c: `USMF|${invoice(i)}`,
        Legal_Entity__c: 'USMF',
        Payment_Status__c: 'Open',
        Amount_Remaining__c: 1000,
        Amount_Paid__c: 0,
      })),
    );

    const d365Client = createD365Client({
      ...d365Settings(loadConfig({ NODE_ENV: 'test' })),
      url: d365.url,
      tenantId: d365.tenantId,
      clientId: d365.clientId,
      clientSecret: d365.clientSecret,
      authorityHost: 'https://login.microsoftonline.com',
      authorityMetadataOverride: { tokenEndpoint: `${d365.url}/${d365.tenantId}/oauth2/v2.0/token` },
    });
    const sfClient = createSalesforceClient({
      loginUrl: sf.loginUrl,
      clientId: sf.consumerKey,
      username: sf.username,
      privateKey: sf.privateKeyPem!,
    });
    await sfClient.identity(); // log in outside the measurement
    const deps = {
      d365: d365Client,
      salesforce: sfClient,
      store,
      timeZones: {},
      currencies: { usmf: 'USD' },
    };
    const measure = async () => {
      d365.control.resetCounters();
      sf.control.resetCounters();
      const t0 = performance.now();
      const report = await runPaymentsSync({ company: COMPANY, dryRun: false }, deps);
      return {
        report,
        seconds: (performance.now() - t0) / 1000,
        d365Requests: d365.control.counters().requests.total,
        sfCalls: sf.control.counters().apiUsed,
      };
    };

    const first = await measure();
    // 5 % of the invoices get a partial payment today, each of a different customer where there
    // are enough (the most Account writes: every changed invoice changes a standing too).
    const trans = d365.control.rows('CustTransactions', { company: COMPANY });
    const opens = new Map(
      d365.control.rows('CustTransOpens', { company: COMPANY }).map((o) => [o.RefRecId, o]),
    );
    const step = Math.max(1, Math.floor(CUSTOMERS / CHANGED));
    const changed = Array.from({ length: CHANGED }, (_, k) => trans[(k * step) % trans.length]!);
    d365.control.putRows(
      'CustTransactions',
      changed.map((t) => ({
        ...t,
        SettleAmountCur: 400,
        SettleAmountMST: 400,
        LastSettleDate: `${today}T12:00:00Z`,
      })),
    );
    d365.control.putRows(
      'CustTransOpens',
      changed.map((t) => ({ ...opens.get(t.SysRecId)!, AmountCur: 600, AmountMST: 600 })),
    );
    const incremental = await measure();
    const unchanged = await measure();
    await d365Client.close();
    return {
      'payments.invoices': INVOICES,
      'payments.customers': CUSTOMERS,
      'payments.changedInvoices': CHANGED,
      'payments.d365Requests': incremental.d365Requests,
      'payments.sfCalls': incremental.sfCalls,
      'payments.wallSeconds': Math.round(incremental.seconds * 1000) / 1000,
      'payments.invoicesWritten': incremental.report.invoicesWritten,
      'payments.accountsWritten': incremental.report.accountsWritten,
      'payments.first.d365Requests': first.d365Requests,
      'payments.first.sfCalls': first.sfCalls,
      'payments.first.wallSeconds': Math.round(first.seconds * 1000) / 1000,
      'payments.unchanged.d365Requests': unchanged.d365Requests,
      'payments.unchanged.sfCalls': unchanged.sfCalls,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    await d365.close();
    await sf.close();
  }
}
