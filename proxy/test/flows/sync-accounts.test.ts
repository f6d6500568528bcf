/**
 * Flow 1 end to end: Salesforce Accounts (as the package's Apex sends them) become F&O customers
 * in the right company, once, with the customer number written back to the Salesforce record.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  account,
  deadLetters,
  fixture,
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
  await h.start();
}, 20_000);
afterAll(async () => h?.close());
beforeEach(() => {
  h.d365.control.clearFaults();
  h.sf.control.resetFieldAccess();
});

const customers = (company = 'usmf') => h.d365.control.rows('CustomersV3', { company });
const sfAccount = (id: string) => h.sf.control.record('Account', id) as Row | undefined;
const synced = (id: string) =>
  waitFor(`Account ${id} synced`, () => sfAccount(id)?.D365_Sync_Status__c === 'Synced' && sfAccount(id));
const failed = (id: string) =>
  waitFor(
    `Account ${id} marked Error`,
    () => sfAccount(id)?.D365_Sync_Status__c === 'Error' && sfAccount(id),
  );

describe('POST /v1/sync/accounts → CustomersV3', () => {
  it('creates a new customer in the routed company, updates an existing one, and writes the numbers back', async () => {
    const request = fixture('BridgeContract_SyncAccountsRequest');
    seedSalesforce(h.sf, 'Account', request.records);
    // Fabrikam (US-024) is linked to its Account in F&O: the Account Id is in its correlation field.
    h.d365.control.putRows('CustomersV3', [
      { dataAreaId: 'usmf', CustomerAccount: 'US-024', KnownAs: String(request.records[1].Id) },
    ]);
    const before = customers().length;
    const fabrikamBefore = h.d365.control.row('CustomersV3', {
      dataAreaId: 'usmf',
      CustomerAccount: 'US-024',
    });

    const res = await h.post('/v1/sync/accounts', request);
    expect(res.status).toBe(202);
    // The Apex parses this answer: every key of the contract fixture's entries is there.
    const contract = fixture('BridgeContract_SyncAccountsResponse');
    expect(res.body.results).toHaveLength(2);
    for (const key of Object.keys(contract.results[0])) expect(res.body.results[0]).toHaveProperty(key);
    expect(res.body.results.map((r: Row) => r.status)).toEqual(['accepted', 'accepted']);

    const [newId, existingId] = request.records.map((r: Row) => String(r.Id));
    const created = await synced(newId);
    expect(created.D365_Customer_Number__c).toMatch(/^SF\d{6}$/);
    expect(created.D365_Sync_Error__c ?? null).toBeNull();
    expect(Date.parse(String(created.D365_Last_Synced__c))).toBeGreaterThan(Date.now() - 60_000);
    const row = h.d365.control.row('CustomersV3', {
      dataAreaId: 'usmf',
      CustomerAccount: created.D365_Customer_Number__c,
    });
    expect(row).toMatchObject({
      OrganizationName: 'Contoso Retail Seattle',
      CustomerGroupId: '10',
      AddressCity: 'Seattle',
    });

    // The account that already had a customer (US-024) was a PATCH: same account, new values, no new customer.
    const updated = await synced(existingId);
    expect(updated.D365_Customer_Number__c).toBe('US-024');
    const fabrikam = h.d365.control.row('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: 'US-024' })!;
    expect(fabrikam.OrganizationName).toBe('Fabrikam Supplies');
    expect(fabrikam.PartyNumber).toBe(fabrikamBefore?.PartyNumber);
    expect(customers().length).toBe(before + 1);
  });

  it('an edit of a synced account is a PATCH, also when the callout raced the write-back', async () => {
    const id = sfId('001', 101);
    const first = account(id, { Name: 'Northwind Traders' });
    seedSalesforce(h.sf, 'Account', [first]);
    await h.post('/v1/sync/accounts', { records: [first] });
    const number = String((await synced(id)).D365_Customer_Number__c);
    const count = customers().length;

    // Newer version that carries the number (the normal case after write-back)…
    const edit = account(id, {
      Name: 'Northwind Traders Ltd',
      D365_Customer_Number__c: number,
      SystemModstamp: '2026-08-21T10:00:00.000+0000',
    });
    h.sf.control.putRecords('Account', [{ Id: id, D365_Sync_Status__c: 'Pending' }]);
    await h.post('/v1/sync/accounts', { records: [edit] });
    await synced(id);
    expect(
      h.d365.control.row('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: number })?.OrganizationName,
    ).toBe('Northwind Traders Ltd');

    // …and one serialized before the number was written back: the ledger still knows the customer.
    const raced = account(id, {
      Name: 'Northwind Traders Inc',
      SystemModstamp: '2026-08-21T11:00:00.000+0000',
    });
    h.sf.control.putRecords('Account', [{ Id: id, D365_Sync_Status__c: 'Pending' }]);
    await h.post('/v1/sync/accounts', { records: [raced] });
    const after = await synced(id);
    expect(after.D365_Customer_Number__c).toBe(number);
    expect(
      h.d365.control.row('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: number })?.OrganizationName,
    ).toBe('Northwind Traders Inc');
    expect(customers().length).toBe(count);
  });

  it("keeps apostrophes, non-ASCII and a 255-character name (cut to F&O's 100 characters)", async () => {
    const id = sfId('001', 102);
    const head = "O'Brien & Søn — Zürich Łódź 東京 ";
    const name = (head + 'x'.repeat(255)).slice(0, 255);
    const rec = account(id, { Name: name, BillingCity: "Saint-Jean-d'Angély" });
    seedSalesforce(h.sf, 'Account', [rec]);
    await h.post('/v1/sync/accounts', { records: [rec] });
    const done = await synced(id);
    const row = h.d365.control.row('CustomersV3', {
      dataAreaId: 'usmf',
      CustomerAccount: done.D365_Customer_Number__c,
    })!;
    expect(String(row.OrganizationName).startsWith("O'Brien & Søn — Zürich Łódź 東京")).toBe(true);
    expect(String(row.OrganizationName).length).toBeLessThanOrEqual(100);
    // (The full name also goes to SalesMemo, a field the emulator accepts but does not model.)
    expect(done.D365_Sync_Error__c ?? null).toBeNull();
    expect(row.AddressCity).toBe("Saint-Jean-d'Angély");
  });

  it('an unmapped legal entity is a dead letter and Error on the record, and no customer is created', async () => {
    const id = sfId('001', 103);
    const rec = account(id, { D365_Legal_Entity__c: 'Narnia' });
    seedSalesforce(h.sf, 'Account', [rec]);
    const count = customers().length;
    await h.post('/v1/sync/accounts', { records: [rec] });
    const bad = await failed(id);
    expect(String(bad.D365_Sync_Error__c)).toMatch(/UNMAPPED_LEGAL_ENTITY.*Narnia/);
    const dead = await waitFor('dead letter', async () =>
      (await deadLetters(h, 'account')).find((d) => d.key === id),
    );
    expect(dead.lastError).toMatchObject({ code: 'UNMAPPED_LEGAL_ENTITY', transient: false });
    expect(customers().length).toBe(count);
  });

  it('a field missing for the integration user surfaces as a SALESFORCE_INVALID_FIELD dead letter; replay after the fix heals it without a second customer', async () => {
    const id = sfId('001', 104);
    const rec = account(id, { Name: 'Litware Inc' });
    seedSalesforce(h.sf, 'Account', [rec]);
    h.sf.control.setFieldAccess('Account', 'D365_Last_Synced__c', 'none');
    await h.post('/v1/sync/accounts', { records: [rec] });
    const dead = await waitFor('dead letter', async () =>
      (await deadLetters(h, 'account')).find((d) => d.key === id),
    );
    expect(dead.lastError.code).toBe('SALESFORCE_INVALID_FIELD');
    expect(dead.lastError.message).toMatch(/D365_Last_Synced__c/);
    // The record says why (the Error write does not touch the hidden field).
    expect(sfAccount(id)?.D365_Sync_Status__c).toBe('Error');
    const withName = () => customers().filter((c) => c.OrganizationName === 'Litware Inc');
    expect(withName()).toHaveLength(1);

    h.sf.control.resetFieldAccess();
    const replay = await h.admin(`/v1/dead-letters/${dead.id}/replay`, { method: 'POST', body: {} });
    expect(replay.body.outcome).toBe('requeued');
    const healed = await synced(id);
    expect(healed.D365_Customer_Number__c).toBe(withName()[0]!.CustomerAccount);
    expect(withName()).toHaveLength(1);
  });

  it("a customer group F&O rejects: F&O's Infolog on the record and in the dead letter", async () => {
    await h.stop();
    const bridge = h.writeBridge('bad-group.json', (cfg) => {
      cfg.companies.usrt.customerGroup = '77';
    });
    await h.start({ BRIDGE_CONFIG: bridge });
    const id = sfId('001', 105);
    const rec = account(id, { D365_Legal_Entity__c: 'RT' });
    seedSalesforce(h.sf, 'Account', [rec]);
    await h.post('/v1/sync/accounts', { records: [rec] });
    const bad = await failed(id);
    expect(String(bad.D365_Sync_Error__c)).toMatch(/F&O rejected the customer/);
    expect(String(bad.D365_Sync_Error__c)).toMatch(/77/);
    const dead = await waitFor('dead letter', async () =>
      (await deadLetters(h, 'account')).find((d) => d.key === id),
    );
    expect(dead.lastError.code).toBe('D365_VALIDATION');
    const detail = (await h.admin(`/v1/dead-letters/${dead.id}`)).body;
    expect(detail.lastError.details).toMatchObject({ company: 'usrt', entity: 'CustomersV3' });
    expect(detail.lastError.details.infolog.join('\n')).toMatch(/77/);
    expect(customers('usrt').some((c) => c.CustomerGroupId === '77')).toBe(false);
    await h.stop();
    await h.start();
  });
});
