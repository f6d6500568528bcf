/**
 * Reconciliation end to end, on both emulators with drift injected: a customer renamed in F&O,
 * a won Opportunity whose order F&O does not have, an invoice posted in F&O that Salesforce
 * never got (its business event dropped), a customer in the wrong company and an Account left
 * Pending. `reconcile` reports each; `--repair` fixes those that are safe to fix through the
 * normal flows and lists the other for a person.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReconcileCli } from '../../src/cli/reconcile.js';
import { account, sfId, startHarness, waitFor, type Harness, type Row } from './sync-harness.js';

let h: Harness;
let RENAMED: string;
let MOVED: string;
let LOST: string;
let opportunityId: string;
let invoiceKey: string;
let renamedNumber: string;

const sfRecord = (object: string, id: string) => h.sf.control.record(object, id) as Row | undefined;
const synced = (id: string) =>
  waitFor(
    `Account ${id} synced`,
    () => sfRecord('Account', id)?.D365_Sync_Status__c === 'Synced' && sfRecord('Account', id),
  );
const customersOf = (id: string) => h.d365.control.rows('CustomersV3').filter((c) => same(c.KnownAs, id));
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString().replace('Z', '+0000');

/** Sends an Account through flow 1 as the package would, and waits for its write-back. */
async function syncAccount(n: number, fields: Row): Promise<Row> {
  const { attributes: _a, ...fresh } = account(sfId('001', n), { ...fields, SystemModstamp: minutesAgo(1) });
  // The emulator gives the Id its real 18-character suffix: send the record as stored.
  const [stored] = h.sf.control.putRecords('Account', [fresh]);
  const res = await h.post('/v1/sync/accounts', {
    records: [{ attributes: { type: 'Account' }, ...stored }],
  });
  expect(res.status).toBe(202);
  return synced(String(stored!.Id));
}

/** The emulator stores each Id with its real 18-character suffix: compare the 15-character form. */
const same = (a: unknown, b: string) => typeof a === 'string' && a.slice(0, 15) === b.slice(0, 15);

const findings = (report: any, flow: string, kind: string) =>
  report.pairs
    .filter((p: any) => p.flow === flow)
    .flatMap((p: any) => p.findings.filter((f: any) => f.kind === kind));

beforeAll(async () => {
  h = await startHarness();
  await h.start({ RECONCILE_CRON: 'off', INVOICE_SWEEP_CRON: 'off', PAYMENTS_SYNC_CRON: 'off' });
  h.d365.control.dropBusinessEvents(true);

  // A customer renamed in F&O after the sync.
  const renamed = await syncAccount(501, { Name: 'Renamed Ltd' });
  RENAMED = String(renamed.Id);
  renamedNumber = String(renamed.D365_Customer_Number__c);
  h.d365.control.putRows('CustomersV3', [
    { dataAreaId: 'usmf', CustomerAccount: renamedNumber, OrganizationName: 'Renamed in F&O' },
  ]);
  // A customer created in usrt while Salesforce now routes the Account to usmf.
  MOVED = String((await syncAccount(502, { Name: 'Moved Ltd', D365_Legal_Entity__c: 'usrt' })).Id);
  h.sf.control.putRecords('Account', [{ ...sfRecord('Account', MOVED)!, D365_Legal_Entity__c: 'usmf' }]);
  // An Account whose callout was lost two hours ago: still Pending, nothing in F&O.
  const { attributes: _a, ...lost } = account(sfId('001', 503), {
    Name: 'Lost Callout Ltd',
    SystemModstamp: minutesAgo(120),
  });
  LOST = String(h.sf.control.putRecords('Account', [lost])[0]!.Id);

  // An Account from before the package: no sync status, never compared (nor synced by a repair).
  h.sf.control.putRecords('Account', [{ Name: 'History Ltd', D365_Legal_Entity__c: 'usmf' }]);

  // A won Opportunity that never reached F&O (not Pending: the sweep would not take it).
  const [product] = h.sf.control.putRecords('Product2', [
    { Name: 'Mid-Range Speaker', ProductCode: 'SPK-MID', D365_Item_Number__c: 'D0001', IsActive: true },
  ]);
  const [opp] = h.sf.control.putRecords('Opportunity', [
    {
      Name: 'Order F&O never got',
      AccountId: RENAMED,
      StageName: 'Closed Won',
      IsWon: true,
      CloseDate: '2026-11-20',
      D365_Sync_Status__c: 'Error',
    },
  ]);
  opportunityId = String(opp!.Id);
  h.sf.control.putRecords('OpportunityLineItem', [
    { OpportunityId: opportunityId, Product2Id: product!.Id, Quantity: 3, UnitPrice: 100, SortOrder: 1 },
  ]);

  // An invoice posted yesterday whose business event was dropped.
  const posted = h.d365.control.postInvoice({
    company: 'usmf',
    customerAccount: renamedNumber,
    lines: [{ itemNumber: 'D0001', quantity: 2, price: 50 }],
    invoiceDate: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
  });
  await h.d365.control.flushBusinessEvents();
  invoiceKey = `USMF|${posted.invoiceNumber}`;
}, 60_000);
afterAll(async () => h?.close());

const FLOWS = ['account', 'contact', 'order', 'invoices'];

describe('reconciliation with drift injected', () => {
  it('a dry run reports each drift with what a repair would do, and changes nothing', async () => {
    const res = await h.admin('/v1/reconcile', {
      method: 'POST',
      body: { flow: FLOWS, repair: true, dryRun: true },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const report = res.body;
    expect(report).toMatchObject({ ok: false, repair: true, dryRun: true, trigger: 'admin' });

    const renamed = findings(report, 'account', 'different').find((f: any) => same(f.salesforceId, RENAMED));
    expect(renamed).toMatchObject({ fnoKey: renamedNumber, repair: { action: 'reenqueue', applied: false } });
    expect(renamed.fields).toContainEqual({
      field: 'OrganizationName',
      salesforce: 'Renamed Ltd',
      fno: 'Renamed in F&O',
    });
    expect(renamed.hash.salesforce).not.toBe(renamed.hash.fno);

    const moved = findings(report, 'account', 'wrongCompany').find((f: any) => same(f.salesforceId, MOVED));
    expect(moved).toMatchObject({ company: 'usmf', fnoCompany: 'usrt', repair: { action: 'none' } });

    const pending = findings(report, 'account', 'pendingTooLong').find((f: any) =>
      same(f.salesforceId, LOST),
    );
    expect(pending).toMatchObject({ repair: { action: 'reenqueue' } });

    const order = findings(report, 'order', 'missingInFno').find(
      (f: any) => f.salesforceId === opportunityId,
    );
    expect(order).toMatchObject({ company: 'usmf', repair: { action: 'reenqueue' } });

    const invoice = findings(report, 'invoices', 'missingInSalesforce').find(
      (f: any) => f.fnoKey === invoiceKey,
    );
    expect(invoice).toMatchObject({ company: 'usmf', repair: { action: 'runFlow' } });

    // Counts on both sides, per company; the cost of the run.
    const accounts = report.pairs.find((p: any) => p.flow === 'account' && p.company === 'usmf');
    expect(accounts.counts).toMatchObject({
      salesforce: 3,
      matched: 1,
      different: 1,
      wrongCompany: 1,
      pendingTooLong: 1,
    });
    expect(report.requests.fno).toBeGreaterThan(0);
    expect(report.requests.salesforce).toBeGreaterThan(0);

    // Nothing changed.
    expect(customersOf(RENAMED)[0]).toMatchObject({ OrganizationName: 'Renamed in F&O' });
    expect(customersOf(LOST)).toHaveLength(0);
    expect(
      h.sf.control.records('Invoice__c').filter((r) => r.D365_Invoice_Id__c === invoiceKey),
    ).toHaveLength(0);

    // For alerting: what the last run of each flow found.
    const scrape = await (await fetch(`${h.proxy.url}/metrics`)).text();
    expect(scrape).toMatch(/^fobridge_reconcile_findings\{flow="account",kind="wrongCompany"\} 1$/m);
    expect(scrape).toMatch(
      /^fobridge_reconcile_findings\{flow="invoices",kind="missingInSalesforce"\} [1-9]/m,
    );
    expect(scrape).toMatch(/^fobridge_reconcile_last_run_timestamp_seconds\{flow="order"\} \d/m);

    // Kept with its history.
    const list = await h.admin('/v1/reconcile/reports');
    expect(list.body.items[0]).toMatchObject({ id: report.id, ok: false });
    const one = await h.admin(`/v1/reconcile/reports/${report.id}`);
    expect(one.body.pairs).toEqual(report.pairs);
    const missing = await h.admin('/v1/reconcile/reports/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('REPORT_NOT_FOUND');
  });

  it('every flow and company by default: products are compared, payments says why it is not', async () => {
    const res = await h.admin('/v1/reconcile', { method: 'POST', body: { dryRun: true } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.scope).toEqual({
      flows: ['account', 'contact', 'order', 'products', 'invoices', 'payments'],
      companies: ['usmf', 'usrt'],
    });
    const products = res.body.pairs.filter((p: any) => p.pair.startsWith('Product2'));
    expect(products.map((p: any) => p.company).sort()).toEqual(['usmf', 'usrt']);
    // The seeded Product2 D0001 matches its released product; the rest of the catalogue is not in Salesforce.
    const usmf = products.find((p: any) => p.company === 'usmf');
    expect(usmf.counts.matched).toBe(1);
    expect(usmf.counts.missingInSalesforce).toBe(usmf.counts.fno - 1);
    expect(res.body.notes.join('\n')).toMatch(/^payments: not compared: /m);
    const bad = await h.admin('/v1/reconcile', { method: 'POST', body: { flow: 'acount', dryRun: true } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('UNKNOWN_FLOW');
  });

  it('products: after a sync, a price changed in Salesforce is found in its company price book', async () => {
    await h.proxy.runtime.fno.runNow('products', { company: 'usmf', full: false, dryRun: false });
    const entry = h.sf.control
      .records('PricebookEntry')
      .find((e) => String(e.D365_Price_Key__c).startsWith('F&O USMF|USD|'))!;
    h.sf.control.putRecords('PricebookEntry', [{ ...entry, UnitPrice: 0.01 }]);
    const res = await h.admin('/v1/reconcile', {
      method: 'POST',
      body: { flow: 'products', company: 'usmf', dryRun: true },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const prices = res.body.pairs.find((p: any) => p.pair.startsWith('PricebookEntry'));
    expect(prices.counts.missingInSalesforce).toBe(0);
    expect(prices.findings).toEqual([
      expect.objectContaining({
        kind: 'different',
        fnoKey: entry.D365_Price_Key__c,
        fields: [{ field: 'UnitPrice', salesforce: '0.01', fno: String(entry.UnitPrice) }],
        repair: expect.objectContaining({ action: 'runFlow' }),
      }),
    ]);
    const products = res.body.pairs.find((p: any) => p.pair.startsWith('Product2'));
    expect(products.counts).toMatchObject({ missingInSalesforce: 0, different: 0, missingInFno: 0 });
    expect(products.counts.matched).toBe(products.counts.fno);
    // Both pairs read the company's catalogue once.
    expect(res.body.requests.fno).toBeLessThanOrEqual(4);
  });

  it('fo-bridge reconcile prints the table and exits 1 when something is found', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { env: h.env({}), out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    const tokenEndpoint = `${h.d365.url}/${h.d365.tenantId}/oauth2/v2.0/token`;
    const code = await runReconcileCli(['--flow', 'account', '--company', 'usmf'], io, {
      d365Overrides: { authorityMetadataOverride: { tokenEndpoint } },
    });
    expect(err.join('\n')).toBe('');
    expect(code).toBe(1);
    const text = out.join('\n');
    expect(text).toMatch(/Accounts ↔ customers \(CustomersV3\)\s+usmf\s+3\s+\d+\s+1/);
    expect(text).toContain(`wrong company  account usmf  ${MOVED.slice(0, 15)}`);
    expect(text).toContain('OrganizationName: "Renamed Ltd" ≠ F&O "Renamed in F&O"');
    expect(text).toMatch(/left to a person \(none\): never moved between companies/);
  });

  it('--repair fixes what is safe through the normal flows and lists the rest', async () => {
    const res = await h.admin('/v1/reconcile', { method: 'POST', body: { flow: FLOWS, repair: true } });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await waitFor(
      'the reconcile job',
      async () => {
        const job = await h.admin(`/v1/jobs/${res.body.jobId}`);
        if (job.body.state === 'dead') throw new Error(JSON.stringify(job.body));
        return job.body.state === 'done';
      },
      20_000,
    );
    // The renamed customer is this Account's (its Id in KnownAs): updated back.
    await waitFor(
      'the customer renamed back',
      async () => {
        const dead = await h.admin('/v1/dead-letters?limit=50');
        if (dead.body.items.length > 0) throw new Error(JSON.stringify(dead.body.items));
        return customersOf(RENAMED)[0]?.OrganizationName === 'Renamed Ltd';
      },
      15_000,
    );
    // The lost Account becomes a customer, once; the order is created, once.
    const lost = await synced(LOST);
    expect(customersOf(LOST).map((c) => c.CustomerAccount)).toEqual([lost.D365_Customer_Number__c]);
    await waitFor(
      'the order created',
      () => sfRecord('Opportunity', opportunityId)?.D365_Sync_Status__c === 'Synced',
      15_000,
    );
    expect(
      h.d365.control
        .rows('SalesOrderHeadersV2', { company: 'usmf' })
        .filter((o) => o.CustomersOrderReference === opportunityId),
    ).toHaveLength(1);
    // The invoices flow ran for usmf: the invoice is in Salesforce now.
    await waitFor(
      'the invoice written',
      () => h.sf.control.records('Invoice__c').some((r) => r.D365_Invoice_Id__c === invoiceKey),
      20_000,
    );
    // The customer in the wrong company was not moved, nor a second one created.
    expect(customersOf(MOVED).map((c) => c.dataAreaId)).toEqual(['usrt']);
    expect(h.d365.control.rows('CustomersV3').some((c) => c.OrganizationName === 'History Ltd')).toBe(false);

    const after = await h.admin('/v1/reconcile', { method: 'POST', body: { flow: FLOWS, dryRun: true } });
    expect(findings(after.body, 'account', 'different')).toEqual([]);
    expect(findings(after.body, 'account', 'pendingTooLong')).toEqual([]);
    expect(
      findings(after.body, 'order', 'missingInFno').filter((f: any) => f.salesforceId === opportunityId),
    ).toEqual([]);
    expect(
      findings(after.body, 'invoices', 'missingInSalesforce').filter((f: any) => f.fnoKey === invoiceKey),
    ).toEqual([]);
    expect(
      findings(after.body, 'account', 'wrongCompany').map((f: any) => f.salesforceId.slice(0, 15)),
    ).toEqual([MOVED.slice(0, 15)]);

    const list = await h.admin('/v1/reconcile/reports');
    expect(list.body.items.length).toBeGreaterThanOrEqual(4);
    expect(list.body.items.some((r: any) => r.repair && !r.dryRun && r.repairs.applied >= 4)).toBe(true);
  }, 60_000);

  it('above SF_BULK_THRESHOLD Salesforce is read with Bulk API 2.0 query: the same report, its calls counted', async () => {
    const soql = await h.admin('/v1/reconcile', { method: 'POST', body: { flow: FLOWS, dryRun: true } });
    await h.stop();
    await h.start({
      RECONCILE_CRON: 'off',
      INVOICE_SWEEP_CRON: 'off',
      PAYMENTS_SYNC_CRON: 'off',
      SF_BULK_THRESHOLD: '0',
    });
    h.sf.control.resetCounters();
    const bulk = await h.admin('/v1/reconcile', { method: 'POST', body: { flow: FLOWS, dryRun: true } });
    expect(bulk.status, JSON.stringify(bulk.body)).toBe(200);
    // Accounts and invoices through Bulk API 2.0 (orders have a sub-query: SOQL; no contacts: SOQL).
    expect(h.sf.control.counters().byKind.bulk).toBeGreaterThanOrEqual(6);
    const shape = (r: any) =>
      r.pairs.map((p: any) => ({
        flow: p.flow,
        company: p.company,
        counts: p.counts,
        findings: p.findings.map((f: any) => [f.kind, f.salesforceId?.slice(0, 15), f.fnoKey, f.fields]),
      }));
    expect(shape(bulk.body)).toEqual(shape(soql.body));
    expect(bulk.body.requests.salesforce).toBe(h.sf.control.counters().apiUsed);
  }, 60_000);

  it('runs on its schedule (RECONCILE_CRON), reporting only, and the report joins the history', async () => {
    await h.stop();
    await h.start({
      RECONCILE_CRON: '* * * * * *',
      INVOICE_SWEEP_CRON: 'off',
      PAYMENTS_SYNC_CRON: 'off',
    });
    const scheduled = await waitFor(
      'a scheduled report',
      async () =>
        (await h.admin('/v1/reconcile/reports')).body.items.find((r: any) => r.trigger === 'schedule'),
      20_000,
    );
    expect(scheduled).toMatchObject({ repair: false, dryRun: false, ok: false });
    const report = await h.admin(`/v1/reconcile/reports/${scheduled.id}`);
    expect(report.body.scope.flows).toContain('account');
    expect(report.body.summary.wrongCompany).toBeGreaterThanOrEqual(1);
    await h.stop();
  }, 60_000);
});
