/**
 * The catch-up sweep and the runtime wiring around flows 1–3: a record whose callout was lost
 * (still Pending in Salesforce) is found by the scheduled sweep and synced; what the proxy does
 * when the mapping file or the Salesforce connection is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  account,
  deadLetters,
  seedSalesforce,
  sfId,
  startHarness,
  waitFor,
  type Harness,
  type Row,
} from './sync-harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
}, 20_000);
afterAll(async () => h?.close());

const sfAccount = (id: string) => h.sf.control.record('Account', id) as Row | undefined;
const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString().replace('Z', '+0000');

describe('catch-up sweep', () => {
  it('syncs a Pending Account whose callout never arrived, and leaves recent ones to their callout', async () => {
    // Every second, records older than 5 minutes (the default age).
    await h.start({ SYNC_SWEEP_CRON: '* * * * * *' });
    const lost = sfId('001', 501);
    const recent = sfId('001', 502);
    const old = ago(30);
    const { attributes: _a, ...lostFields } = account(lost, {
      Name: 'Lost Callout Ltd',
      SystemModstamp: old,
    });
    const { attributes: _b, ...recentFields } = account(recent, {
      Name: 'Just Edited Ltd',
      SystemModstamp: ago(1),
    });
    h.sf.control.putRecords('Account', [
      { ...lostFields, CreatedDate: old, LastModifiedDate: old },
      { ...recentFields, CreatedDate: ago(1), LastModifiedDate: ago(1) },
    ]);

    // A won Opportunity of an already synced Account, with a product, whose callout was lost too.
    const [product] = h.sf.control.putRecords('Product2', [
      { Name: 'Mid-Range Speaker', ProductCode: 'SPK-MID', D365_Item_Number__c: 'D0001' },
    ]);
    const [fabrikam] = h.sf.control.putRecords('Account', [
      {
        Name: 'Fabrikam',
        D365_Customer_Number__c: 'US-024',
        D365_Legal_Entity__c: 'usmf',
        D365_Sync_Status__c: 'Synced',
      },
    ]);
    // (Not Pending until its line is there: the sweep runs every second.)
    const [draft] = h.sf.control.putRecords('Opportunity', [
      {
        Name: 'Lost order',
        AccountId: fabrikam!.Id,
        StageName: 'Closed Won',
        IsWon: true,
        CloseDate: '2026-08-21',
        D365_Sync_Status__c: 'Synced',
      },
    ]);
    const oppId = String(draft!.Id);
    h.sf.control.putRecords('OpportunityLineItem', [
      { OpportunityId: oppId, Product2Id: product!.Id, Quantity: 3, UnitPrice: 100, SortOrder: 1 },
    ]);
    h.sf.control.putRecords('Opportunity', [
      { ...draft, D365_Sync_Status__c: 'Pending', SystemModstamp: old, LastModifiedDate: old },
    ]);

    const done = await waitFor(
      'the sweep to sync the lost Account',
      () => sfAccount(lost)?.D365_Sync_Status__c === 'Synced' && sfAccount(lost),
      8000,
    );
    const row = h.d365.control.row('CustomersV3', {
      dataAreaId: 'usmf',
      CustomerAccount: done.D365_Customer_Number__c,
    });
    expect(row?.OrganizationName).toBe('Lost Callout Ltd');
    expect(sfAccount(recent)?.D365_Sync_Status__c).toBe('Pending');
    const opp = await waitFor('the sweep to sync the lost Opportunity', () => {
      const o = h.sf.control.record('Opportunity', oppId);
      return o?.D365_Sync_Status__c === 'Synced' && o;
    });
    const order = h.d365.control
      .rows('SalesOrderHeadersV2', { company: 'usmf' })
      .filter((o) => o.CustomersOrderReference === oppId);
    expect(order.map((o) => o.SalesOrderNumber)).toEqual([opp.D365_Sales_Order_Number__c]);
    expect(
      h.d365.control
        .rows('SalesOrderLines', { company: 'usmf' })
        .filter((l) => l.SalesOrderNumber === opp.D365_Sales_Order_Number__c),
    ).toHaveLength(1);
    expect(
      h.d365.control
        .rows('CustomersV3', { company: 'usmf' })
        .some((c) => c.OrganizationName === 'Just Edited Ltd'),
    ).toBe(false);

    // Later sweeps see the same version again (it is Synced now, so it is not even selected), and
    // a record the queue already knows at that version is a no-op: still one customer.
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      h.d365.control
        .rows('CustomersV3', { company: 'usmf' })
        .filter((c) => c.OrganizationName === 'Lost Callout Ltd'),
    ).toHaveLength(1);
    await h.stop();
  });
});

describe('runtime without a mapping file or a Salesforce connection', () => {
  it('accepts records, dead-letters them with BRIDGE_CONFIG_MISSING and says what is missing in /readyz', async () => {
    await h.start({ BRIDGE_CONFIG: '', SF_CLIENT_ID: '', SF_USERNAME: '', SF_PRIVATE_KEY: '' });
    // The detail is for operators: /readyz says it with an admin key only.
    const ready = await fetch(`${h.proxy.url}/readyz`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean; detail?: unknown }> };
    expect(body.checks.mapping).toMatchObject({ ok: false });
    expect(String(body.checks.mapping?.detail)).toMatch(/BRIDGE_CONFIG/);
    expect(body.checks.salesforce).toMatchObject({ ok: false });
    expect(String(body.checks.salesforce?.detail)).toMatch(/SF_CLIENT_ID/);
    expect(body.checks.store).toMatchObject({ ok: true });

    const id = sfId('001', 601);
    seedSalesforce(h.sf, 'Account', [account(id)]);
    const res = await h.post('/v1/sync/accounts', { records: [account(id)] });
    expect(res.body.results[0].status).toBe('accepted');
    const dead = await waitFor('dead letter', async () =>
      (await deadLetters(h, 'account')).find((d) => d.key === id),
    );
    expect(dead.lastError).toMatchObject({ code: 'BRIDGE_CONFIG_MISSING', transient: false });
    expect(dead.lastError.message).toMatch(/BRIDGE_CONFIG/);
    await h.stop();
  });
});
