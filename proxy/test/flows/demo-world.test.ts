/**
 * The demo world end to end, as the sandbox runs it: both emulators with their `demo` seeds, the
 * proxy with the demo mapping, and the request files the sandbox writes (scripts/lib/sandbox-requests.ts:
 * the demo records read from the Salesforce emulator with the package's own SOQL). The demo
 * Account, Contact and won Opportunity reach F&O in the Account's company — also while F&O
 * throttles — and are written back to Salesforce; each documented failure fails as documented.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoRequests, type DemoRequest } from '../../../scripts/lib/sandbox-requests.js';
import {
  DEMO_OPPORTUNITIES,
  DEMO_SYNC,
  demoAccount,
  demoProduct,
} from '../../../test/fixtures/demo-world.js';
import { deadLetters, startHarness, waitFor, type Harness, type Row } from './sync-harness.js';

let h: Harness;
let requests: Map<string, DemoRequest & { body: { records: Row[] } }>;
const account = demoAccount(DEMO_SYNC.account);
const company = account.D365_Legal_Entity__c!.toLowerCase();

beforeAll(async () => {
  h = await startHarness({ sfSeed: 'demo' });
  await h.start();
  const written = await writeDemoRequests(h.proxy.runtime.salesforce!, mkdtempSync(join(tmpdir(), 'demo-')));
  requests = new Map(
    written.map((r) => [r.file.split('/').pop()!, { ...r, body: JSON.parse(readFileSync(r.file, 'utf8')) }]),
  );
}, 30_000);
afterAll(async () => h?.close());

const sfRecord = (object: string, id: string) => h.sf.control.record(object, id) as Row;

/** Posts one of the sandbox's request files; returns the record it carries. */
async function send(name: string): Promise<Row> {
  const request = requests.get(name)!;
  const res = await h.post(request.path, request.body);
  expect(res.status).toBe(202);
  expect(res.body.results).toEqual([expect.objectContaining({ status: 'accepted' })]);
  return request.body.records[0]!;
}

const settled = (object: string, id: string, status: 'Synced' | 'Error') =>
  waitFor(`${object} ${id} ${status}`, () => {
    const r = sfRecord(object, id);
    if (r.D365_Sync_Status__c !== status && r.D365_Sync_Status__c !== 'Pending' && r.D365_Sync_Status__c)
      throw new Error(`${object} is ${String(r.D365_Sync_Status__c)}: ${String(r.D365_Sync_Error__c)}`);
    return r.D365_Sync_Status__c === status && r;
  });

describe('the demo world: every flow succeeds', () => {
  it('the demo Account becomes an F&O customer in its company, while F&O throttles, and its number goes back', async () => {
    h.d365.control.faults({ fail5xx: { count: 2, status: 429, retryAfterS: 1 } });
    const sent = await send('1-account.json');
    const done = await settled('Account', String(sent.Id), 'Synced');
    expect(h.d365.control.faults().fail5xx?.count ?? 0).toBe(0);
    const customers = h.d365.control
      .rows('CustomersV3', { company })
      .filter((c) => c.CustomerAccount === done.D365_Customer_Number__c);
    expect(customers).toEqual([expect.objectContaining({ OrganizationName: account.Name })]);
  });

  it('the demo Contact becomes a contact person of that customer', async () => {
    const sent = await send('2-contact.json');
    const done = await settled('Contact', String(sent.Id), 'Synced');
    const people = h.d365.control
      .rows('ContactPersons', { company })
      .filter((c) => c.ContactPersonId === done.D365_Contact_Person_Id__c);
    expect(people).toEqual([expect.objectContaining({ LastName: DEMO_SYNC.contact.LastName })]);
  });

  it('the won demo Opportunity becomes one sales order with its lines', async () => {
    const demo = DEMO_OPPORTUNITIES.find((o) => o.Name === DEMO_SYNC.opportunity)!;
    const sent = await send('3-order.json');
    const done = await settled('Opportunity', String(sent.Id), 'Synced');
    const number = done.D365_Sales_Order_Number__c;
    expect(
      h.d365.control.rows('SalesOrderHeadersV2', { company }).filter((o) => o.SalesOrderNumber === number),
    ).toHaveLength(1);
    const lines = h.d365.control
      .rows('SalesOrderLines', { company })
      .filter((l) => l.SalesOrderNumber === number)
      .map((l) => [l.ItemNumber, l.OrderedSalesQuantity, l.SalesPrice]);
    expect(lines).toEqual(
      demo.lines.map((l) => {
        const p = demoProduct(l.product);
        return [p.D365_Item_Number__c ?? p.ProductCode, l.Quantity, p.UnitPrice];
      }),
    );
  });
});

describe('the demo world: each documented failure', () => {
  it('an Account in a company F&O does not have is rejected and marked Error in Salesforce', async () => {
    const sent = await send('fail-unmapped-company.json');
    const failed = await settled('Account', String(sent.Id), 'Error');
    expect(failed.D365_Sync_Error__c).toContain('zzzz');
    const letters = await waitFor('the dead letter', async () =>
      (await deadLetters(h, 'account')).filter((d) => d.key === sent.Id),
    );
    expect(letters[0].lastError.code).toBe('UNMAPPED_LEGAL_ENTITY');
  });

  it('a won Opportunity with an item F&O lacks creates no order and is marked Error', async () => {
    const parent = await send('fail-unknown-item-account.json');
    await settled('Account', String(parent.Id), 'Synced');
    const sent = await send('fail-unknown-item.json');
    const failed = await settled('Opportunity', String(sent.Id), 'Error');
    expect(failed.D365_Sync_Error__c).toContain('Z9999');
    expect(
      h.d365.control
        .rows('SalesOrderHeadersV2', { company: 'usmf' })
        .filter((o) => o.CustomersOrderReference === sent.Id),
    ).toEqual([]);
  });
});
