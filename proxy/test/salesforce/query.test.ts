import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespacer, SalesforceApiError } from '../../src/salesforce/index.js';
import { accounts, startOrg } from './helpers.js';

describe('Salesforce client: SOQL query iterator', () => {
  let org: Awaited<ReturnType<typeof startOrg>>;
  beforeAll(async () => {
    org = await startOrg({ seed: 'demo' });
  });
  afterAll(async () => org.close());

  it('iterates every page through nextRecordsUrl', async () => {
    const client = org.client();
    await client.upsertMany('Account', 'D365_Customer_Number__c', accounts(450));
    org.emu.control.resetCounters();
    const seen: string[] = [];
    for await (const r of client.query<{ D365_Customer_Number__c: string }>(
      "SELECT Id, D365_Customer_Number__c FROM Account WHERE D365_Customer_Number__c LIKE 'C-%' ORDER BY D365_Customer_Number__c",
      { batchSize: 200 },
    )) {
      seen.push(r.D365_Customer_Number__c);
    }
    expect(seen).toHaveLength(450);
    expect(seen[449]).toBe('C-00449');
    expect(org.emu.control.counters().byKind.query).toBe(3);
    expect(await client.queryAll("SELECT Name FROM Account WHERE Name LIKE 'Contoso%'")).toEqual([
      { attributes: expect.objectContaining({ type: 'Account' }), Name: 'Contoso Retail' },
    ]);
  });

  it('stops early without fetching more pages, and throws typed SOQL errors', async () => {
    const client = org.client();
    org.emu.control.resetCounters();
    for await (const _ of client.query('SELECT Id FROM Account', { batchSize: 200 })) break;
    expect(org.emu.control.counters().byKind.query).toBe(1);
    const err = await client.queryAll('SELECT Nope__c FROM Account').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SalesforceApiError);
    expect(err).toMatchObject({ errorCode: 'INVALID_FIELD', transient: false });
  });
});

describe('Salesforce client: namespace', () => {
  it('prefixes package names only, in names, records and SOQL (not inside literals)', () => {
    const ns = createNamespacer('fobridge');
    expect(ns.sfName('D365_Customer_Number__c')).toBe('fobridge__D365_Customer_Number__c');
    expect(ns.sfName('Invoice__c')).toBe('fobridge__Invoice__c');
    expect(ns.sfName('Account__r.Name')).toBe('fobridge__Account__r.Name');
    expect(ns.sfName('D365_Sync_Request__e')).toBe('fobridge__D365_Sync_Request__e');
    for (const standard of ['Account', 'Name', 'AccountId', 'other__Foreign__c'])
      expect(ns.sfName(standard)).toBe(standard);
    expect(createNamespacer('').sfName('Invoice__c')).toBe('Invoice__c');
    expect(
      ns.soql(
        "SELECT Id, Account__r.Name FROM Invoice__c WHERE Status__c = 'Paid__c' AND Name != 'it\\'s X__c'",
      ),
    ).toBe(
      "SELECT Id, fobridge__Account__r.Name FROM fobridge__Invoice__c WHERE fobridge__Status__c = 'Paid__c' AND Name != 'it\\'s X__c'",
    );
    expect(
      ns.toSf({
        attributes: { type: 'Invoice__c' },
        Name: 'I',
        Account__r: { D365_Customer_Number__c: 'C' },
      }),
    ).toEqual({
      attributes: { type: 'fobridge__Invoice__c' },
      Name: 'I',
      fobridge__Account__r: { fobridge__D365_Customer_Number__c: 'C' },
    });
    expect(ns.fromSf({ fobridge__Amount__c: 1, Lines: { records: [{ fobridge__X__c: 2 }] } })).toEqual({
      Amount__c: 1,
      Lines: { records: [{ X__c: 2 }] },
    });
  });

  it('works end to end against a namespaced org with package names only', async () => {
    const org = await startOrg({ namespace: 'fobridge' });
    try {
      const client = org.client();
      expect(client.sfName('Invoice__c')).toBe('fobridge__Invoice__c');
      const up = await client.upsertMany('Account', 'D365_Customer_Number__c', [
        ...accounts(2),
        { D365_Customer_Number__c: 'BAD', Name: 'x', D365_Sync_Status__c: 'Maybe' },
      ]);
      expect(up.successCount).toBe(2);
      expect(up.results[2]!.errors[0]).toMatchObject({
        errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        fields: ['D365_Sync_Status__c'],
      });
      await client.upsert('Invoice__c', 'D365_Invoice_Id__c', 'INV-1', {
        Name: 'INV-1',
        Account__r: { D365_Customer_Number__c: 'C-00001' },
        Amount__c: 10,
      });
      const rows = await client.queryAll<Record<string, any>>(
        "SELECT Name, Amount__c, Account__r.D365_Customer_Number__c FROM Invoice__c WHERE D365_Invoice_Id__c = 'INV-1'",
      );
      expect(rows).toEqual([
        {
          attributes: expect.objectContaining({ type: 'Invoice__c' }),
          Name: 'INV-1',
          Amount__c: 10,
          Account__r: expect.objectContaining({ D365_Customer_Number__c: 'C-00001' }),
        },
      ]);
      const bulk = await client.upsertMany(
        'Invoice__c',
        'D365_Invoice_Id__c',
        [{ D365_Invoice_Id__c: 'INV-2', Name: 'INV-2', Account__r: { D365_Customer_Number__c: 'C-00000' } }],
        { mode: 'bulk' },
      );
      expect(bulk.successCount).toBe(1);
      expect(org.emu.control.records('fobridge__Invoice__c')).toHaveLength(2);
    } finally {
      await org.close();
    }
  });
});
