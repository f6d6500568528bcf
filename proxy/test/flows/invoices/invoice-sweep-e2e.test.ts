/**
 * The invoice sweep end to end: with business events dropped (endpoint down, event not
 * activated), the sweep alone brings Salesforce up to date, and corrects what differs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFnoFlowCli } from '../../../src/cli/fno-flow.js';
import { invoicesFlow } from '../../../src/flows/invoices/invoices-flow.js';
import { seedSalesforce, sfId, startHarness, waitFor, type Harness, type Row } from '../sync-harness.js';

describe('invoice sweep end to end', () => {
  let h: Harness;
  let customer: Row;
  let item: string;

  beforeAll(async () => {
    h = await startHarness();
    await h.start({ INVOICE_SWEEP_CRON: 'off' });
    h.d365.control.dropBusinessEvents(true);
    customer = h.d365.control.rows('CustomersV3').find((c) => c.dataAreaId === 'usmf')!;
    item = String(h.d365.control.rows('ReleasedProductsV2').find((p) => p.dataAreaId === 'usmf')!.ItemNumber);
    seedSalesforce(h.sf, 'Account', [
      {
        Id: sfId('001', 7),
        Name: 'Sweep customer',
        D365_Customer_Number__c: customer.CustomerAccount,
        D365_Legal_Entity__c: 'usmf',
      },
    ]);
  }, 30_000);

  afterAll(async () => {
    await h?.close();
  });

  const ROUTE = '/v1/flows/invoices/run';
  /** A dry run answers at once with the per-company report. */
  const dryRun = (body: Row) => h.admin(ROUTE, { method: 'POST', body: { ...body, dryRun: true } });
  /** A real run is queued: wait for its job, then ask a dry run what is left to do. */
  async function sweep(body: Row): Promise<void> {
    const res = await h.admin(ROUTE, { method: 'POST', body });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await waitFor(
      `invoices job ${res.body.jobId}`,
      async () => {
        const job = await h.admin(`/v1/jobs/${res.body.jobId}`);
        if (job.body.state === 'dead')
          throw new Error(`invoice sweep dead-lettered: ${JSON.stringify(job.body)}`);
        return job.body.state === 'done';
      },
      20_000,
    );
  }

  const post = (quantity: number) =>
    h.d365.control.postInvoice({
      company: 'usmf',
      customerAccount: String(customer.CustomerAccount),
      lines: [{ itemNumber: item, quantity, price: 12.34 }],
      invoiceDate: '2026-09-01',
    });

  it('heals invoices whose events were dropped: a dry run reports, the sweep writes', async () => {
    const a = post(2);
    const b = post(5);
    await h.d365.control.flushBusinessEvents();
    expect(
      h.sf.control.records('Invoice__c').filter((r) => [a, b].some((p) => p.invoiceNumber === r.Name)),
    ).toEqual([]);

    const dry = await dryRun({ since: '2026-09-01', company: 'USMF' });
    expect(dry.status).toBe(200);
    expect(dry.body.changes[0]).toMatchObject({ company: 'usmf', missing: 2, written: 0 });
    expect(dry.body.counts).toMatchObject({ missing: 2, written: 0 });
    expect(h.sf.control.records('Invoice__c').length).toBe(0);

    await sweep({ since: '2026-09-01', company: 'usmf' });
    const written = h.sf.control.records('Invoice__c');
    expect(written.map((r) => r.D365_Invoice_Id__c).sort()).toEqual(
      [`USMF|${a.invoiceNumber}`, `USMF|${b.invoiceNumber}`].sort(),
    );
    expect(written.find((r) => r.Name === a.invoiceNumber)).toMatchObject({
      Total_Amount__c: 24.68,
      Invoice_Date__c: '2026-09-01',
    });
    expect(h.sf.control.records('Invoice_Line__c').length).toBe(2);

    // Nothing left to do: the sweep wrote both (none failed), a second one would write nothing.
    const again = await dryRun({ since: '2026-09-01' });
    expect(again.body.changes.find((c: Row) => c.company === 'usmf')).toMatchObject({
      missing: 0,
      different: 0,
      written: 0,
      failed: 0,
    });
  });

  it('rewrites an invoice Salesforce holds differently', async () => {
    const one = h.sf.control.records('Invoice__c')[0]!;
    h.sf.control.putRecords('Invoice__c', [{ ...one, Total_Amount__c: 1 }]);
    const dry = await dryRun({ since: '2026-09-01', company: 'usmf' });
    expect(dry.body.changes[0], JSON.stringify(dry.body)).toMatchObject({ different: 1, written: 0 });
    await sweep({ since: '2026-09-01', company: 'usmf' });
    expect(h.sf.control.record('Invoice__c', String(one.Id))?.Total_Amount__c).toBe(one.Total_Amount__c);
    const after = await dryRun({ since: '2026-09-01', company: 'usmf' });
    expect(after.body.changes[0]).toMatchObject({ different: 0, missing: 0 });
  });

  it('fo-bridge invoices sync runs the same sweep in its own process and prints the report', async () => {
    const c = post(3);
    await h.d365.control.flushBusinessEvents();
    const out: string[] = [];
    const err: string[] = [];
    const io = { env: h.env({}), out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    const tokenEndpoint = `${h.d365.url}/${h.d365.tenantId}/oauth2/v2.0/token`;
    const cli = (...argv: string[]) =>
      runFnoFlowCli(invoicesFlow, argv, io, {
        d365Overrides: { authorityMetadataOverride: { tokenEndpoint } },
      });
    expect(await cli('sync', '--since', '2026-09-01', '--company', 'usmf', '--dry-run')).toBe(0);
    expect(err.join('\n')).toBe('');
    expect(out).toContain('  missing: 1');
    expect(h.sf.control.records('Invoice__c').some((r) => r.Name === c.invoiceNumber)).toBe(false);
    expect(await cli('sync', '--since', '2026-09-01', '--company', 'usmf')).toBe(0);
    expect(out).toContain('  written: 1');
    expect(h.sf.control.records('Invoice__c').some((r) => r.Name === c.invoiceNumber)).toBe(true);
  });

  it('refuses a malformed request with 400 and needs an admin key', async () => {
    const bad = await h.admin(ROUTE, { method: 'POST', body: { since: 'yesterday' } });
    expect(bad.status).toBe(400);
    const anon = await fetch(`${h.proxy.url}${ROUTE}`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(anon.status).toBe(401);
  });
});

describe('fo-bridge invoices sync', () => {
  it('refuses bad usage with exit 2 and explains its options', async () => {
    const { runCli } = await import('../../../src/cli/dispatch.js');
    const out: string[] = [];
    const err: string[] = [];
    const io = { env: {}, out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    expect(await runCli(['invoices', 'sync', '--since', 'last-week'], io)).toBe(2);
    expect(await runCli(['invoices'], io)).toBe(2);
    expect(await runCli(['invoices', '--help'], io)).toBe(0);
    expect(out.join('\n')).toContain(
      'fo-bridge invoices sync [--company C]... [--since YYYY-MM-DD] [--full] [--dry-run] [--json]',
    );
  });
});
