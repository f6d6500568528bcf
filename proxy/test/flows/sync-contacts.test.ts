/**
 * Flow 2 end to end: Contacts become F&O contact persons under their customer's party, once,
 * with the contact person id written back; a Contact whose Account is not in F&O waits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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
  await h.start({ JOB_MAX_ATTEMPTS: '2' });
}, 20_000);
afterAll(async () => h?.close());

const persons = () => h.d365.control.rows('ContactPersons', { company: 'usmf' });
const sfContact = (id: string) => h.sf.control.record('Contact', id) as Row | undefined;
const status = (id: string, s: string) =>
  waitFor(`Contact ${id} ${s}`, () => sfContact(id)?.D365_Sync_Status__c === s && sfContact(id));

describe('POST /v1/sync/contacts → ContactPersons', () => {
  it("creates the contact person under the customer's party, updates the one that exists, writes the ids back", async () => {
    const request = fixture('BridgeContract_SyncContactsRequest');
    const fabrikam = h.d365.control.row('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: 'US-024' })!;
    // Ravi Kumar was synced before: F&O has his contact person 000312.
    h.d365.control.putRows('ContactPersons', [
      {
        dataAreaId: 'usmf',
        ContactPersonId: '000312',
        AssociatedPartyNumber: fabrikam.PartyNumber,
        FirstName: 'Ravi',
        LastName: 'Kumar',
        // Created by the proxy for his Contact, so it carries the Contact Id.
        KnownAsName: String(request.records[1].Id),
      },
    ]);
    seedSalesforce(h.sf, 'Account', [{ Id: request.records[0].AccountId, Name: 'Fabrikam Supplies' }]);
    seedSalesforce(h.sf, 'Contact', request.records);
    const before = persons().length;

    const res = await h.post('/v1/sync/contacts', request);
    expect(res.status).toBe(202);
    const contract = fixture('BridgeContract_SyncContactsResponse');
    expect(res.body.results.map((r: Row) => r.status)).toEqual(contract.results.map((r: Row) => r.status));
    for (const key of Object.keys(contract.results[0])) expect(res.body.results[0]).toHaveProperty(key);

    const [julia, ravi] = request.records.map((r: Row) => String(r.Id));
    const created = await status(julia, 'Synced');
    const person = h.d365.control.row('ContactPersons', {
      dataAreaId: 'usmf',
      ContactPersonId: created.D365_Contact_Person_Id__c,
    })!;
    expect(person).toMatchObject({
      AssociatedPartyNumber: fabrikam.PartyNumber,
      FirstName: 'Julia',
      LastName: 'Funk',
      PrimaryEmailAddress: 'julia.funk@fabrikam.example.com',
    });
    const updated = await status(ravi, 'Synced');
    expect(updated.D365_Contact_Person_Id__c).toBe('000312');
    expect(
      h.d365.control.row('ContactPersons', { dataAreaId: 'usmf', ContactPersonId: '000312' }),
    ).toMatchObject({
      EmploymentJobTitle: 'Accounts Payable',
      PrimaryEmailAddress: 'ravi.kumar@fabrikam.example.com',
    });
    expect(persons().length).toBe(before + 1);

    // Sent again (newer version) before the id reached the payload: still one contact person.
    const again = {
      ...request.records[0],
      SystemModstamp: '2026-08-21T12:00:00.000+0000',
      Title: 'Head of Purchasing',
    };
    h.sf.control.putRecords('Contact', [{ Id: julia, D365_Sync_Status__c: 'Pending' }]);
    await h.post('/v1/sync/contacts', { records: [again] });
    await status(julia, 'Synced');
    expect(persons().length).toBe(before + 1);
    expect(
      h.d365.control.row('ContactPersons', {
        dataAreaId: 'usmf',
        ContactPersonId: created.D365_Contact_Person_Id__c,
      })?.EmploymentJobTitle,
    ).toBe('Head of Purchasing');
  });

  it('a Contact whose Account never reaches F&O is retried, then dead-lettered with PARENT_NOT_SYNCED and Error on the record', async () => {
    const accountId = sfId('001', 401);
    const id = sfId('003', 401);
    const contact = {
      attributes: { type: 'Contact' },
      Id: id,
      AccountId: accountId,
      FirstName: 'Zoë',
      LastName: "D'Arcy",
      SystemModstamp: '2026-08-21T09:20:11.000+0000',
      Account: { attributes: { type: 'Account' }, Id: accountId, D365_Legal_Entity__c: 'usmf' },
    };
    seedSalesforce(h.sf, 'Account', [{ Id: accountId, Name: 'Never synced' }]);
    seedSalesforce(h.sf, 'Contact', [contact]);
    const before = persons().length;
    await h.post('/v1/sync/contacts', { records: [contact] });
    const bad = await status(id, 'Error');
    expect(String(bad.D365_Sync_Error__c)).toMatch(/Still failing after 2 attempts: PARENT_NOT_SYNCED/);
    const dead = await waitFor('dead letter', async () =>
      (await deadLetters(h, 'contact')).find((d) => d.key === id),
    );
    expect(dead).toMatchObject({ attempts: 2, lastError: { code: 'PARENT_NOT_SYNCED' } });
    expect(persons().length).toBe(before);
  });
});
