/**
 * Create-once holds when the proxy's own memory is gone or wrong: an F&O customer is changed only
 * when it carries the Account Id the proxy wrote at create time. Against the F&O emulator over
 * HTTP with real SQLite stores: a fresh store against a populated F&O, a number range shared by
 * mistake between two proxies, and a restored old store.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  KEY,
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
let run = 0;
/** A store of its own per test: each starts with no memory of earlier ones. */
const store = (name: string) => `sqlite:${join(h.dir, `${name}-${run}.db`)}`;

beforeAll(async () => {
  h = await startHarness();
}, 20_000);
afterAll(async () => h?.close());
beforeEach(async () => {
  run += 1;
  await h.stop();
  h.d365.control.reset('demo');
  h.sf.control.reset();
});

const customer = (n: string) => h.d365.control.row('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: n });
const customers = () => h.d365.control.rows('CustomersV3', { company: 'usmf' });
const sfAccount = (id: string) => h.sf.control.record('Account', id) as Row | undefined;
const status = (id: string, s: string) =>
  waitFor(`Account ${id} ${s}`, () => sfAccount(id)?.D365_Sync_Status__c === s && sfAccount(id));

async function send(url: string, records: Row[]): Promise<void> {
  const res = await fetch(`${url}/v1/sync/accounts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ records }),
  });
  expect(res.status).toBe(202);
}

/** Puts the Account in Salesforce (Pending) and sends it to the proxy at `url`. */
async function sync(url: string, rec: Row): Promise<Row> {
  seedSalesforce(h.sf, 'Account', [rec]);
  h.sf.control.putRecords('Account', [{ Id: rec.Id, D365_Sync_Status__c: 'Pending' }]);
  await send(url, [rec]);
  return status(String(rec.Id), 'Synced');
}

/** Sends any sync record to `path` on the current proxy and waits for its status in Salesforce. */
async function syncObject(path: string, object: string, rec: Row, want = 'Synced'): Promise<Row> {
  seedSalesforce(h.sf, object, [rec]);
  h.sf.control.putRecords(object, [{ Id: rec.Id, D365_Sync_Status__c: 'Pending' }]);
  const res = await fetch(`${h.proxy.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ records: [rec] }),
  });
  expect(res.status).toBe(202);
  const id = String(rec.Id);
  return waitFor(`${object} ${id} ${want}`, () => {
    const r = h.sf.control.record(object, id) as Row | undefined;
    return r?.D365_Sync_Status__c === want && r;
  });
}

const FABRIKAM = 'US-024';
/** A Contact of the Fabrikam Account (customer US-024), as the package sends it. */
function contactOf(n: number, fields: Row = {}): Row {
  const c = structuredClone(fixture('BridgeContract_SyncContactsRequest').records[0]);
  const id = sfId('003', n);
  return {
    ...c,
    Id: id,
    attributes: { type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${id}` },
    LastName: `Person ${n}`,
    Email: `person${n}@fabrikam.example.com`,
    ...fields,
  };
}
const person = (id: unknown) =>
  h.d365.control.row('ContactPersons', { dataAreaId: 'usmf', ContactPersonId: id });
const persons = () => h.d365.control.rows('ContactPersons', { company: 'usmf' });

/** The contract Opportunity (Fabrikam, two lines) under another Id. */
function opportunityOf(n: number, fields: Row = {}): Row {
  const o = structuredClone(fixture('BridgeContract_OrdersRequest').records[0]);
  const id = sfId('006', n);
  o.Id = id;
  o.attributes.url = `/services/data/v62.0/sobjects/Opportunity/${id}`;
  o.OpportunityLineItems.records.forEach((l: Row, i: number) => {
    l.OpportunityId = id;
    l.Id = sfId('00k', n * 10 + i);
  });
  return { ...o, ...fields };
}
const header = (number: unknown) =>
  h.d365.control.row('SalesOrderHeadersV2', { dataAreaId: 'usmf', SalesOrderNumber: number });
const orderLines = (number: unknown) =>
  h.d365.control.rows('SalesOrderLines', { company: 'usmf' }).filter((l) => l.SalesOrderNumber === number);
const headers = () => h.d365.control.rows('SalesOrderHeadersV2', { company: 'usmf' });

async function collisions(): Promise<number> {
  const m = await h.proxy.registry.getSingleMetric('fobridge_sync_collisions_total')?.get();
  return (m?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

describe('a replay never modifies a customer it cannot prove it owns', () => {
  it('fresh store against a populated F&O: SF000001–3 belong to others, nothing is renamed, new numbers are taken', async () => {
    const others = [1, 2, 3].map((n) => ({
      dataAreaId: 'usmf',
      CustomerAccount: `SF00000${n}`,
      OrganizationName: `Existing customer ${n}`,
      CustomerGroupId: '10',
      SalesCurrencyCode: 'USD',
      // SF000002 was created for another Account (by another proxy); the others by hand in F&O.
      ...(n === 2 ? { KnownAs: sfId('001', 9999) } : {}),
    }));
    h.d365.control.putRows('CustomersV3', others);
    await h.start({ STORE_URL: store('fresh') });
    const before = customers().length;

    const id = sfId('001', 701);
    const done = await sync(h.proxy.url, account(id, { Name: 'New Account 701' }));
    expect(done.D365_Customer_Number__c).toBe('SF000004');
    expect(customer('SF000004')).toMatchObject({ OrganizationName: 'New Account 701', KnownAs: id });
    for (const n of [1, 2, 3])
      expect(customer(`SF00000${n}`)?.OrganizationName).toBe(`Existing customer ${n}`);
    expect(customers()).toHaveLength(before + 1);
    expect(await collisions()).toBe(3);

    // A replay (a newer version without the number) updates its own customer, still nobody else's.
    const again = await sync(
      h.proxy.url,
      account(id, { Name: 'New Account 701 Ltd', SystemModstamp: '2026-08-21T10:00:00.000+0000' }),
    );
    expect(again.D365_Customer_Number__c).toBe('SF000004');
    expect(customer('SF000004')?.OrganizationName).toBe('New Account 701 Ltd');
    expect(customer('SF000001')?.OrganizationName).toBe('Existing customer 1');
    expect(customers()).toHaveLength(before + 1);
  });

  it('an Account whose Salesforce record names a customer that is not its own: D365_RECORD_NOT_OWNED, dead letter, nothing changed', async () => {
    await h.start({ STORE_URL: store('not-owned') });
    const id = sfId('001', 702);
    const victim = customer('US-001')!;
    const rec = account(id, { Name: 'Hijacker', D365_Customer_Number__c: 'US-001' });
    seedSalesforce(h.sf, 'Account', [rec]);
    h.d365.control.resetCounters();
    await send(h.proxy.url, [rec]);
    const bad = await status(id, 'Error');
    expect(String(bad.D365_Sync_Error__c)).toMatch(
      /^F&O customer US-001 in usmf does not carry this record's Id in KnownAs/,
    );
    const dead = await waitFor('dead letter', async () =>
      (await deadLetters(h, 'account')).find((d) => d.key === id),
    );
    expect(dead.lastError).toMatchObject({ code: 'D365_RECORD_NOT_OWNED', transient: false });
    expect(customer('US-001')).toEqual(victim);
    // It was read (the ownership check), never written.
    expect(h.d365.control.counters().requests.byMethod.GET).toBeGreaterThan(0);
    expect(h.d365.control.counters().requests.byMethod.PATCH ?? 0).toBe(0);
  });

  it('a range shared by mistake between two proxies (two stores, one F&O): each takes the next free number, none overwrites', async () => {
    await h.start({ STORE_URL: store('proxy-a') });
    const a = h.proxy;
    await h.start({ STORE_URL: store('proxy-b') });
    const b = h.proxy;
    try {
      const x = sfId('001', 703);
      const y = sfId('001', 704);
      const z = sfId('001', 705);
      expect((await sync(a.url, account(x, { Name: 'X via A' }))).D365_Customer_Number__c).toBe('SF000001');
      // B's counter also starts at 1: SF000001 is X's in F&O.
      expect((await sync(b.url, account(y, { Name: 'Y via B' }))).D365_Customer_Number__c).toBe('SF000002');
      // A's counter says 2 next: that is Y's now.
      expect((await sync(a.url, account(z, { Name: 'Z via A' }))).D365_Customer_Number__c).toBe('SF000003');
      expect(customer('SF000001')).toMatchObject({ OrganizationName: 'X via A', KnownAs: x });
      expect(customer('SF000002')).toMatchObject({ OrganizationName: 'Y via B', KnownAs: y });
      expect(customer('SF000003')).toMatchObject({ OrganizationName: 'Z via A', KnownAs: z });

      // B edits Y (the number is back in Salesforce) and A replays X: each PATCHes only its own.
      await sync(
        b.url,
        account(y, {
          Name: 'Y edited',
          D365_Customer_Number__c: 'SF000002',
          SystemModstamp: '2026-08-21T10:00:00.000+0000',
        }),
      );
      await sync(a.url, account(x, { Name: 'X edited', SystemModstamp: '2026-08-21T10:00:00.000+0000' }));
      expect(customer('SF000001')?.OrganizationName).toBe('X edited');
      expect(customer('SF000002')?.OrganizationName).toBe('Y edited');
      expect(customer('SF000003')?.OrganizationName).toBe('Z via A');
    } finally {
      await a.app.close();
    }
  });

  it("a restored old store: numbers handed out after the backup are others' now; an Account synced after the backup is found, not duplicated", async () => {
    const live = store('live');
    await h.start({ STORE_URL: live });
    const x = sfId('001', 706);
    const y = sfId('001', 707);
    const w = sfId('001', 708);
    expect((await sync(h.proxy.url, account(x, { Name: 'X' }))).D365_Customer_Number__c).toBe('SF000001');
    await h.stop();
    const backup = store('backup');
    copyFileSync(live.slice('sqlite:'.length), backup.slice('sqlite:'.length));

    await h.start({ STORE_URL: live });
    expect((await sync(h.proxy.url, account(y, { Name: 'Y' }))).D365_Customer_Number__c).toBe('SF000002');
    await h.stop();

    // Disaster: the operator restores the backup. Its counter and ledger know nothing of Y.
    await h.start({ STORE_URL: backup });
    const before = customers().length;
    // A new Account gets SF000002 from the old counter: it is Y's in F&O.
    expect((await sync(h.proxy.url, account(w, { Name: 'W' }))).D365_Customer_Number__c).toBe('SF000003');
    expect(customer('SF000002')).toMatchObject({ OrganizationName: 'Y', KnownAs: y });
    // Y edited before its number reached the payload: the restored ledger does not know Y, F&O does.
    const yAgain = await sync(
      h.proxy.url,
      account(y, { Name: 'Y edited', SystemModstamp: '2026-08-21T10:00:00.000+0000' }),
    );
    expect(yAgain.D365_Customer_Number__c).toBe('SF000002');
    expect(customer('SF000002')?.OrganizationName).toBe('Y edited');
    expect(customers()).toHaveLength(before + 1);
  });

  it('the ledger says SF000001 for this Account but F&O shows SF000001 belongs to another: that one untouched, a new number', async () => {
    await h.start({ STORE_URL: store('stale') });
    const x = sfId('001', 709);
    expect((await sync(h.proxy.url, account(x, { Name: 'X' }))).D365_Customer_Number__c).toBe('SF000001');
    // Meanwhile F&O was restored / renumbered: SF000001 is now another Account's customer.
    const other = sfId('001', 9998);
    h.d365.control.putRows('CustomersV3', [
      { dataAreaId: 'usmf', CustomerAccount: 'SF000001', OrganizationName: 'Someone else', KnownAs: other },
    ]);

    const again = await sync(
      h.proxy.url,
      account(x, { Name: 'X edited', SystemModstamp: '2026-08-21T10:00:00.000+0000' }),
    );
    expect(again.D365_Customer_Number__c).toBe('SF000002');
    expect(customer('SF000001')).toMatchObject({ OrganizationName: 'Someone else', KnownAs: other });
    expect(customer('SF000002')).toMatchObject({ OrganizationName: 'X edited', KnownAs: x });
  });

  it('an ambiguous create (committed, answer lost) is recovered by key, no second customer', async () => {
    await h.start({ STORE_URL: store('ambiguous') });
    const before = customers().length;
    h.d365.control.faults({ commitNoAnswer: { count: 1, entity: 'CustomersV3' } });
    const x = sfId('001', 710);
    expect((await sync(h.proxy.url, account(x, { Name: 'X ambiguous' }))).D365_Customer_Number__c).toBe(
      'SF000001',
    );
    expect(customers()).toHaveLength(before + 1);
    expect(customer('SF000001')).toMatchObject({ OrganizationName: 'X ambiguous', KnownAs: x });
    expect(await collisions()).toBe(0);
  });
});

describe('contact persons: changed only when they carry the Contact Id', () => {
  it('a Contact whose Salesforce record names a contact person that is not its own: D365_RECORD_NOT_OWNED, nothing changed', async () => {
    await h.start({ STORE_URL: store('contact-not-owned') });
    const party = String(customer(FABRIKAM)!.PartyNumber);
    h.d365.control.putRows('ContactPersons', [
      { dataAreaId: 'usmf', ContactPersonId: 'CP-900001', AssociatedPartyNumber: party, LastName: 'Someone' },
    ]);
    const victim = person('CP-900001');
    const c = contactOf(801, { D365_Contact_Person_Id__c: 'CP-900001' });
    const bad = await syncObject('/v1/sync/contacts', 'Contact', c, 'Error');
    expect(String(bad.D365_Sync_Error__c)).toMatch(/contact person CP-900001 .* was not changed/);
    const dead = await waitFor('dead letter', async () =>
      (await deadLetters(h, 'contact')).find((d) => d.key === c.Id),
    );
    expect(dead.lastError).toMatchObject({ code: 'D365_RECORD_NOT_OWNED', transient: false });
    expect(person('CP-900001')).toEqual(victim);
  });

  it('a stale ledger (F&O shows that id belongs to another Contact): untouched, the Contact gets its own', async () => {
    await h.start({ STORE_URL: store('contact-stale') });
    const c = contactOf(802);
    const first = await syncObject('/v1/sync/contacts', 'Contact', c);
    const oldId = first.D365_Contact_Person_Id__c;
    const other = sfId('003', 9997);
    h.d365.control.putRows('ContactPersons', [
      { dataAreaId: 'usmf', ContactPersonId: oldId, LastName: 'Someone else', KnownAsName: other },
    ]);
    const before = persons().length;
    // A newer version sent before the id reached the payload: the ledger names oldId.
    const again = await syncObject('/v1/sync/contacts', 'Contact', {
      ...c,
      Title: 'Buyer',
      SystemModstamp: '2026-08-21T12:00:00.000+0000',
    });
    expect(again.D365_Contact_Person_Id__c).not.toBe(oldId);
    expect(person(oldId)).toMatchObject({ LastName: 'Someone else', KnownAsName: other });
    expect(person(again.D365_Contact_Person_Id__c)).toMatchObject({
      LastName: 'Person 802',
      EmploymentJobTitle: 'Buyer',
      KnownAsName: c.Id,
    });
    expect(persons()).toHaveLength(before + 1);
    expect(await collisions()).toBe(1);
  });

  it('a fresh store: a contact person F&O already has for this Contact is updated, not duplicated', async () => {
    await h.start({ STORE_URL: store('contact-before') });
    const c = contactOf(803);
    const first = await syncObject('/v1/sync/contacts', 'Contact', c);
    await h.stop();
    await h.start({ STORE_URL: store('contact-after') });
    const before = persons().length;
    const again = await syncObject('/v1/sync/contacts', 'Contact', {
      ...c,
      Title: 'Head of Purchasing',
      SystemModstamp: '2026-08-21T12:00:00.000+0000',
    });
    expect(again.D365_Contact_Person_Id__c).toBe(first.D365_Contact_Person_Id__c);
    expect(person(first.D365_Contact_Person_Id__c)?.EmploymentJobTitle).toBe('Head of Purchasing');
    expect(persons()).toHaveLength(before);
  });
});

describe("sales orders: an order is this Opportunity's only if its CustomersOrderReference says so", () => {
  const seedFabrikam = () =>
    seedSalesforce(h.sf, 'Account', [
      {
        Id: String(fixture('BridgeContract_OrdersRequest').records[0].AccountId),
        Name: 'Fabrikam Supplies',
        D365_Customer_Number__c: FABRIKAM,
        D365_Legal_Entity__c: 'usmf',
      },
    ]);

  it('fresh store against an F&O that has SFO0000001 for another Opportunity: left alone, the next number is taken', async () => {
    await h.start({ STORE_URL: store('order-fresh') });
    seedFabrikam();
    const other = opportunityOf(9996);
    const taken = await syncObject('/v1/orders', 'Opportunity', other);
    expect(taken.D365_Sales_Order_Number__c).toBe('SFO0000001');
    await h.stop();

    await h.start({ STORE_URL: store('order-fresh-2') });
    const before = headers().length;
    const o = opportunityOf(901);
    const done = await syncObject('/v1/orders', 'Opportunity', o);
    expect(done.D365_Sales_Order_Number__c).toBe('SFO0000002');
    expect(header('SFO0000001')?.CustomersOrderReference).toBe(other.Id);
    expect(orderLines('SFO0000001')).toHaveLength(2);
    expect(header('SFO0000002')?.CustomersOrderReference).toBe(o.Id);
    expect(orderLines('SFO0000002')).toHaveLength(2);
    expect(headers()).toHaveLength(before + 1);
    expect(await collisions()).toBe(1);
  });

  it("a stale ledger: the order at the Opportunity's old number is another's now; it is never reported as this one's", async () => {
    await h.start({ STORE_URL: store('order-stale') });
    seedFabrikam();
    const o = opportunityOf(902);
    expect((await syncObject('/v1/orders', 'Opportunity', o)).D365_Sales_Order_Number__c).toBe('SFO0000001');
    // F&O now shows SFO0000001 as another Opportunity's order (restored / re-referenced in F&O).
    const other = sfId('006', 9995);
    h.d365.control.putRows('SalesOrderHeadersV2', [
      { dataAreaId: 'usmf', SalesOrderNumber: 'SFO0000001', CustomersOrderReference: other },
    ]);
    const again = await syncObject('/v1/orders', 'Opportunity', {
      ...o,
      SystemModstamp: '2026-08-21T12:00:00.000+0000',
    });
    expect(again.D365_Sales_Order_Number__c).toBe('SFO0000002');
    expect(header('SFO0000001')?.CustomersOrderReference).toBe(other);
    expect(header('SFO0000002')?.CustomersOrderReference).toBe(o.Id);
  });
});
