import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator, type SalesforceEmulator } from './index.js';
import { fixturePackage, login, makeForceApp, restClient } from './test-helpers.js';

describe('Salesforce emulator: SOQL subset', () => {
  let emu: SalesforceEmulator;
  let sf: ReturnType<typeof restClient>;
  const pkg = makeForceApp(fixturePackage());
  const q = async (soql: string, headers: Record<string, string> = {}) =>
    sf('GET', `query?q=${encodeURIComponent(soql)}`, undefined, headers);
  const names = (body: { records: Array<{ Name: string }> }) => body.records.map((r) => r.Name);

  beforeAll(async () => {
    emu = await startSalesforceEmulator({ seed: 'demo', forceAppDir: pkg.dir });
    sf = restClient(emu, await login(emu));
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().replace('Z', '+0000');
    const [old] = emu.control.records('Account').filter((a) => a.Name === 'Tailspin Toys');
    emu.control.putRecords('Account', [{ ...old, LastModifiedDate: daysAgo(40) }]);
    emu.control.putRecords('Invoice__c', [
      {
        Name: 'INV-1',
        D365_Invoice_Id__c: 'I-1',
        Amount__c: 100,
        Due_Date__c: '2025-01-31',
        Account__c: old!.Id,
      },
      {
        Name: 'INV-2',
        D365_Invoice_Id__c: 'I-2',
        Amount__c: 250,
        Due_Date__c: '2025-02-28',
        Account__c: old!.Id,
      },
      { Name: 'INV-3', D365_Invoice_Id__c: 'I-3', Amount__c: 75 },
    ]);
  });
  afterAll(async () => {
    await emu.close();
    pkg.cleanup();
  });

  it('selects fields with WHERE, ORDER BY and LIMIT', async () => {
    const res = await q(
      "SELECT Id, Name, BillingCountryCode FROM Account WHERE BillingCountryCode = 'us' ORDER BY Name DESC LIMIT 5",
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ totalSize: 2, done: true });
    expect(names(res.body)).toEqual(['Fabrikam Manufacturing', 'Contoso Retail']);
    expect(res.body.records[0]).toEqual({
      attributes: {
        type: 'Account',
        url: expect.stringMatching(/^\/services\/data\/v62\.0\/sobjects\/Account\/001/),
      },
      Id: expect.any(String),
      Name: 'Fabrikam Manufacturing',
      BillingCountryCode: 'US',
    });
  });

  it('supports != < > <= >= IN, NOT IN, LIKE, AND, OR, NOT and parentheses', async () => {
    expect(
      (
        await q('SELECT Name FROM Invoice__c WHERE Amount__c > 80 AND Amount__c <= 250 ORDER BY Amount__c')
      ).body.records.map((r: any) => r.Name),
    ).toEqual(['INV-1', 'INV-2']);
    expect(
      names((await q("SELECT Name FROM Invoice__c WHERE Name IN ('INV-1','INV-3') ORDER BY Name")).body),
    ).toEqual(['INV-1', 'INV-3']);
    expect(
      names(
        (await q("SELECT Name FROM Invoice__c WHERE Name NOT IN ('INV-1') AND Amount__c >= 75 ORDER BY Name"))
          .body,
      ),
    ).toEqual(['INV-2', 'INV-3']);
    expect(
      names(
        (
          await q(
            "SELECT Name FROM Account WHERE Name LIKE '%works' OR (Name LIKE 'north%' AND Industry != 'Retail')",
          )
        ).body,
      ).sort(),
    ).toEqual(['Adventure Works', 'Northwind Traders']);
    expect((await q("SELECT Name FROM Account WHERE NOT Name LIKE 'C%'")).body.totalSize).toBe(4);
    expect((await q('SELECT Name FROM Invoice__c WHERE Account__c = null')).body.totalSize).toBe(1);
    expect((await q('SELECT Name FROM Invoice__c WHERE Due_Date__c < 2025-02-01')).body.totalSize).toBe(1);
  });

  it('supports date literals and datetimes', async () => {
    expect((await q('SELECT Id FROM Account WHERE CreatedDate = TODAY')).body.totalSize).toBe(5);
    expect((await q('SELECT Id FROM Account WHERE LastModifiedDate = LAST_N_DAYS:7')).body.totalSize).toBe(4);
    expect((await q('SELECT Id FROM Account WHERE LastModifiedDate = LAST_N_DAYS:60')).body.totalSize).toBe(
      5,
    );
    expect((await q('SELECT Id FROM Account WHERE LastModifiedDate < LAST_N_DAYS:7')).body.totalSize).toBe(1);
    expect((await q('SELECT Id FROM Account WHERE CreatedDate > 2020-01-01T00:00:00Z')).body.totalSize).toBe(
      5,
    );
    expect((await q('SELECT Id FROM Account WHERE CreatedDate < 2020-01-01T00:00:00Z')).body.totalSize).toBe(
      0,
    );
    expect(
      (await q("SELECT Id FROM Opportunity WHERE CloseDate < TODAY AND StageName = 'Closed Won'")).body
        .totalSize,
    ).toBe(1);
  });

  it('follows one level of parent relationship and child subqueries', async () => {
    const res = await q(
      'SELECT Name, Account.Name, Account.Owner.Name, (SELECT Quantity, PricebookEntry.Product2.ProductCode FROM OpportunityLineItems ORDER BY Quantity) FROM Opportunity WHERE IsWon = true',
    );
    expect(res.body.totalSize).toBe(1);
    const opp = res.body.records[0];
    expect(opp.Account).toMatchObject({
      attributes: { type: 'Account' },
      Name: 'Contoso Retail',
      Owner: { Name: 'Integration User' },
    });
    expect(opp.OpportunityLineItems).toMatchObject({ totalSize: 2, done: true });
    expect(opp.OpportunityLineItems.records[0]).toMatchObject({
      Quantity: 20,
      PricebookEntry: { Product2: { ProductCode: expect.any(String) } },
    });
    const inv = await q(
      "SELECT Name, Account__r.Name FROM Invoice__c WHERE Account__r.Name = 'Tailspin Toys' ORDER BY Name",
    );
    expect(inv.body.records.map((r: any) => r.Account__r.Name)).toEqual(['Tailspin Toys', 'Tailspin Toys']);
    const none = await q("SELECT Name, Account__r.Name FROM Invoice__c WHERE Name = 'INV-3'");
    expect(none.body.records[0].Account__r).toBeNull();
    const semi = await q('SELECT Name FROM Account WHERE Id IN (SELECT Account__c FROM Invoice__c)');
    expect(names(semi.body)).toEqual(['Tailspin Toys']);
    expect((await q('SELECT COUNT() FROM Contact')).body).toEqual({ totalSize: 7, done: true, records: [] });
  });

  it('pages with nextRecordsUrl', async () => {
    emu.control.putRecords(
      'Product2',
      Array.from({ length: 450 }, (_, i) => ({ Name: `Bulk ${String(i).padStart(3, '0')}` })),
    );
    const first = await q("SELECT Name FROM Product2 WHERE Name LIKE 'Bulk%' ORDER BY Name", {
      'Sforce-Query-Options': 'batchSize=200',
    });
    expect(first.body).toMatchObject({ totalSize: 450, done: false });
    expect(first.body.records).toHaveLength(200);
    expect(first.body.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/query\/01g\w{15}-200$/);
    const second = await sf('GET', first.body.nextRecordsUrl, undefined, {
      'Sforce-Query-Options': 'batchSize=200',
    });
    expect(second.body.records[0].Name).toBe('Bulk 200');
    const third = await sf('GET', second.body.nextRecordsUrl, undefined, {
      'Sforce-Query-Options': 'batchSize=200',
    });
    expect(third.body).toMatchObject({ done: true });
    expect(third.body.records).toHaveLength(50);
    expect(third.body.nextRecordsUrl).toBeUndefined();
  });

  it('reports INVALID_FIELD, INVALID_TYPE and MALFORMED_QUERY with SOQL positions', async () => {
    const field = await q('SELECT Id, D365_Payment_Terms__c FROM Account');
    expect(field.status).toBe(400);
    expect(field.body[0].errorCode).toBe('INVALID_FIELD');
    expect(field.body[0].message).toContain(
      "ERROR at Row:1:Column:12\nNo such column 'D365_Payment_Terms__c' on entity 'Account'",
    );
    expect((await q('SELECT Id FROM Nope__c')).body[0].errorCode).toBe('INVALID_TYPE');
    expect((await q('SELECT FROM')).body[0].errorCode).toBe('MALFORMED_QUERY');
    expect((await q("SELECT Id FROM Invoice__c WHERE Amount__c = '5'")).body[0].message).toContain(
      'must be of type double and should not be enclosed in quotes',
    );
    emu.control.setFieldAccess('Account', 'D365_Customer_Number__c', 'none');
    expect((await q('SELECT D365_Customer_Number__c FROM Account')).body[0].errorCode).toBe('INVALID_FIELD');
    emu.control.resetFieldAccess();
  });
});
