/**
 * Ready-to-send sync requests for the sandbox (docs/sandbox.md, "Sync the demo records"): the demo
 * world's records read from the Salesforce emulator with the package's own SOQL, written as
 * `{ records: [...] }` files for `curl --data @file`. The success path (Account, Contact, won
 * Opportunity, in that order) and one request per failure to try.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SalesforceClient } from '../../proxy/src/salesforce/index.js';
import { DEMO_SYNC, demoAccount, demoProduct } from '../../test/fixtures/demo-world.js';
import { selectForSync, type SyncObject } from '../../test/support/apex-selector.js';

export interface DemoRequest {
  file: string;
  path: string;
  what: string;
}

type Row = Record<string, unknown>;

export async function writeDemoRequests(salesforce: SalesforceClient, dir: string): Promise<DemoRequest[]> {
  mkdirSync(dir, { recursive: true });
  const idOf = async (object: SyncObject, where: string): Promise<string> => {
    const [row] = await salesforce.queryAll<{ Id: string }>(
      `SELECT Id FROM ${object} WHERE ${where} LIMIT 1`,
    );
    if (!row) throw new Error(`the demo org has no ${object} WHERE ${where}`);
    return row.Id;
  };
  const quoted = (s: string) => `'${s.replace(/'/g, "\\'")}'`;
  const record = async (object: SyncObject, where: string): Promise<Row> =>
    (await selectForSync(salesforce, object, [await idOf(object, where)]))[0]!;

  const retail = demoAccount(DEMO_SYNC.account);
  const account = await record('Account', `Name = ${quoted(retail.Name)}`);
  const contact = await record(
    'Contact',
    `AccountId = ${quoted(String(account.Id))} AND LastName = ${quoted(DEMO_SYNC.contact.LastName)}`,
  );
  const order = await record('Opportunity', `Name = ${quoted(DEMO_SYNC.opportunity)}`);
  const unmapped = await record('Account', `Name = ${quoted(demoAccount('tailspin').Name)}`);
  const fabrikam = await record('Account', `Name = ${quoted(demoAccount('fabrikam').Name)}`);
  const unknownItem = wonWithUnknownItem(
    await record('Opportunity', `AccountId = ${quoted(String(fabrikam.Id))}`),
  );

  const requests: Array<[string, string, string, Row]> = [
    ['1-account.json', '/v1/sync/accounts', `Account ${retail.Name} → F&O customer`, account],
    [
      '2-contact.json',
      '/v1/sync/contacts',
      `Contact ${String(contact.FirstName)} ${String(contact.LastName)}`,
      contact,
    ],
    ['3-order.json', '/v1/orders', `won Opportunity ${DEMO_SYNC.opportunity} → sales order`, order],
    [
      'fail-unmapped-company.json',
      '/v1/sync/accounts',
      'Account in a company F&O does not have (zzzz)',
      unmapped,
    ],
    [
      'fail-unknown-item-account.json',
      '/v1/sync/accounts',
      `Account ${String(fabrikam.Name)} (send first)`,
      fabrikam,
    ],
    ['fail-unknown-item.json', '/v1/orders', 'won Opportunity with item Z9999, which F&O lacks', unknownItem],
  ];
  return requests.map(([name, path, what, body]) => {
    const file = join(dir, name);
    writeFileSync(file, `${JSON.stringify({ records: [body] }, null, 2)}\n`);
    return { file, path, what };
  });
}

/**
 * The Fabrikam Opportunity as the package would send it once won with two products: one F&O has
 * (D0001) and one it does not (Z9999). Made up in the request only; the org is not changed.
 */
function wonWithUnknownItem(opportunity: Row): Row {
  const id = String(opportunity.Id);
  const line = (n: number, key: string, quantity: number): Row => {
    const p = demoProduct(key);
    return {
      attributes: { type: 'OpportunityLineItem' },
      Id: `00k${id.slice(3, 14)}${n}AAA`,
      OpportunityId: id,
      Product2: { Name: p.Name, ProductCode: p.ProductCode, D365_Item_Number__c: p.D365_Item_Number__c },
      Quantity: quantity,
      UnitPrice: p.UnitPrice,
      TotalPrice: quantity * p.UnitPrice,
    };
  };
  const lines = [line(1, 'speaker-mini', 5), line(2, 'legacy-speaker', 2)];
  return {
    ...opportunity,
    StageName: 'Closed Won',
    IsWon: true,
    Amount: lines.reduce((sum, l) => sum + Number(l.TotalPrice), 0),
    OpportunityLineItems: { totalSize: lines.length, done: true, records: lines },
  };
}
