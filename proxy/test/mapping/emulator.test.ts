/**
 * The mapped bodies are accepted by the F&O emulator (real HTTP, the entity schemas and validation of
 * test/emulators/d365): customer create + update, contact person, sales order header + lines. The
 * flows own the orchestration; this only proves the field names and values are ones F&O takes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  odataClient,
  startTestEmulator,
  type ODataClient,
} from '../../../test/emulators/d365/test-helpers.js';
import type { D365Emulator } from '../../../test/emulators/d365/index.js';
import {
  loadBridgeConfig,
  mapAccountToCustomer,
  mapAccountUpdate,
  mapContactToContactPerson,
  mapOpportunityToSalesOrder,
} from '../../src/mapping/index.js';
import { account, contact, expectOk, lineItem, opportunity, parentAccount } from './helpers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cfg = loadBridgeConfig(`${root}test/fixtures/bridge.demo.json`);

describe('mapped bodies against the F&O emulator', () => {
  let emu: D365Emulator;
  let od: ODataClient;
  beforeAll(async () => {
    emu = await startTestEmulator();
    od = await odataClient(emu);
  });
  afterAll(async () => {
    await emu?.close();
  });

  it('creates and updates a customer, adds a contact person and a two-line order', async () => {
    const longName = `O'Brien & Søn Großhandel ${'Zürich Łódź '.repeat(12)}`.trim();
    const created = expectOk(
      mapAccountToCustomer(
        account({ Name: longName, BillingState: 'Washington', Phone: '+1 206 555 0100' }),
        cfg,
        { customerAccount: 'SF000001' },
      ),
    );
    const post = await od.send('POST', 'CustomersV3', created.entity);
    expect(post.status, post.text).toBe(201);
    expect(post.json).toMatchObject({
      CustomerAccount: 'SF000001',
      OrganizationName: created.entity.OrganizationName,
      AddressState: 'WA',
    });
    // SalesMemo is a real CustomersV3 property the emulator accepts but does not store.
    expect(created.entity.SalesMemo).toBe(longName);

    const key = "CustomersV3(dataAreaId='usmf',CustomerAccount='SF000001')?cross-company=true";
    const update = expectOk(
      mapAccountUpdate(
        account({
          Name: 'Contoso Retail Seattle',
          D365_Customer_Number__c: 'SF000001',
          BillingCity: 'Tacoma',
        }),
        cfg,
      ),
    );
    const patch = await od.send('PATCH', key, update.entity);
    expect(patch.status, patch.text).toBe(204);
    const after = await od.get(key);
    expect(after.json).toMatchObject({
      OrganizationName: 'Contoso Retail Seattle',
      AddressCity: 'Tacoma',
      CustomerGroupId: '10',
    });

    const person = expectOk(
      mapContactToContactPerson(
        contact({ Account: parentAccount({ D365_Customer_Number__c: 'SF000001' }) }),
        cfg,
        {
          customerPartyNumber: String(after.json.PartyNumber),
        },
      ),
    );
    const cp = await od.send('POST', 'ContactPersons', person.entity);
    expect(cp.status, cp.text).toBe(201);
    expect(cp.json).toMatchObject({
      ContactPersonName: 'Julia Funk',
      AssociatedPartyNumber: after.json.PartyNumber,
    });

    const order = expectOk(
      mapOpportunityToSalesOrder(
        opportunity({ Account: parentAccount({ D365_Customer_Number__c: 'SF000001' }) }, [
          lineItem({ Product2: { ProductCode: 'D0001' }, Quantity: 10, UnitPrice: 0.1 }),
          lineItem({ Product2: { ProductCode: 'D0006' }, Quantity: 3, UnitPrice: 0.2, Discount: 10 }),
        ]),
        cfg,
      ),
    );
    const header = await od.send('POST', 'SalesOrderHeadersV2', order.entity.header);
    expect(header.status, header.text).toBe(201);
    for (const line of order.entity.lines) {
      const res = await od.send('POST', 'SalesOrderLines', {
        ...line,
        SalesOrderNumber: header.json.SalesOrderNumber,
      });
      expect(res.status, res.text).toBe(201);
    }
    const stored = await od.get(
      `SalesOrderHeadersV2?cross-company=true&$filter=CustomersOrderReference eq '${order.identity.correlation.value}'&$expand=SalesOrderLines`,
    );
    expect(stored.json.value).toHaveLength(1);
    const lines = stored.json.value[0].SalesOrderLines as Array<{ LineAmount: number }>;
    expect(lines.map((l) => l.LineAmount)).toEqual([1, 0.54]);
    expect(order.identity.expectedTotal).toBe('1.54');
  });
});

// Keep the fixture file honest: it must stay valid JSON for the sandbox script that reads it directly.
it('the demo config file is plain JSON', () => {
  expect(() => JSON.parse(readFileSync(`${root}test/fixtures/bridge.demo.json`, 'utf8'))).not.toThrow();
});
