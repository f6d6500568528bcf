/**
 * Flow 7 with the PostgreSQL store: the watermark and what was written survive a restart of the
 * proxy, so the run after it writes nothing when nothing changed.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dropSchema, pgUrl } from '../jobs/helpers.js';
import { sfId, startHarness, type Harness } from './sync-harness.js';

const schema = `payments_${randomBytes(4).toString('hex')}`;
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.start({ STORE_URL: pgUrl(schema) });
});
afterAll(async () => {
  await h?.close();
  await dropSchema(schema);
});

it('remembers the last run across a restart: the next unchanged run makes no Salesforce write', async () => {
  const company = 'usmf';
  const customer = String(h.d365.control.rows('CustomersV3', { company })[0]!.CustomerAccount);
  const item = String(h.d365.control.rows('ReleasedProductsV2', { company })[0]!.ItemNumber);
  h.sf.control.putRecords('Account', [
    {
      Id: sfId('001', 9),
      Name: 'PG customer',
      D365_Customer_Number__c: customer,
      D365_Legal_Entity__c: company,
    },
  ]);
  const inv = h.d365.control.postInvoice({
    company,
    customerAccount: customer,
    lines: [{ itemNumber: item, quantity: 1, price: 80 }],
  });
  h.sf.control.putRecords('Invoice__c', [
    { Name: inv.invoiceNumber, D365_Invoice_Id__c: `USMF|${inv.invoiceNumber}`, Payment_Status__c: 'Open' },
  ]);
  h.d365.control.postPayment({
    company,
    customerAccount: customer,
    amount: 30,
    invoiceNumber: inv.invoiceNumber,
  });

  const run = () => h.proxy.runtime.fno.runNow('payments', { company, full: false, dryRun: false });
  const first = await run();
  expect(first.counts.invoicesWritten).toBe(1);

  await h.stop();
  await h.start({ STORE_URL: pgUrl(schema) });
  h.sf.control.resetCounters();
  const again = await run();
  expect(again.counts).toMatchObject({ invoicesWritten: 0, accountsWritten: 0 });
  const { byKind } = h.sf.control.counters();
  expect(
    (byKind.collections ?? 0) +
      (byKind.composite ?? 0) +
      (byKind.sobject ?? 0) +
      (byKind.upsert ?? 0) +
      (byKind.bulk ?? 0),
  ).toBe(0);
});
