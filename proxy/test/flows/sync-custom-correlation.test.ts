/**
 * An installation that added its own `SalesforceId` field to CustTable (and the customer entity)
 * names it as `customer.correlationField`: the proxy writes the Account Id there on create and
 * proves ownership with it before every update, `KnownAs` stays untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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
  h = await startHarness({ d365: { extensionFields: { CustomersV3: ['SalesforceId'] } } });
  const bridge = h.writeBridge('bridge.custom-correlation.json', (cfg) => {
    cfg.customer.correlationField = 'SalesforceId';
  });
  await h.start({ BRIDGE_CONFIG: bridge });
}, 20_000);
afterAll(async () => h?.close());

const customer = (n: unknown) =>
  h.d365.control.row('CustomersV3', { dataAreaId: 'usmf', CustomerAccount: n });
const status = (id: string, s: string) =>
  waitFor(`Account ${id} ${s}`, () => {
    const r = h.sf.control.record('Account', id) as Row | undefined;
    return r?.D365_Sync_Status__c === s && r;
  });

describe('customer.correlationField = SalesforceId (a custom field)', () => {
  it('writes the Account Id into SalesforceId, leaves KnownAs alone, and updates only what carries it', async () => {
    const id = sfId('001', 951);
    const rec = account(id, { Name: 'Custom Field Co' });
    seedSalesforce(h.sf, 'Account', [rec]);
    await h.post('/v1/sync/accounts', { records: [rec] });
    const done = await status(id, 'Synced');
    const number = done.D365_Customer_Number__c;
    expect(customer(number)).toMatchObject({
      SalesforceId: id,
      KnownAs: '',
      OrganizationName: 'Custom Field Co',
    });

    // KnownAs holding the Id proves nothing under this config: US-001 is not this Account's.
    const other = sfId('001', 952);
    h.d365.control.putRows('CustomersV3', [
      { dataAreaId: 'usmf', CustomerAccount: 'US-001', KnownAs: other },
    ]);
    const name = customer('US-001')!.OrganizationName;
    const claim = account(other, { Name: 'Claimed', D365_Customer_Number__c: 'US-001' });
    seedSalesforce(h.sf, 'Account', [claim]);
    await h.post('/v1/sync/accounts', { records: [claim] });
    await status(other, 'Error');
    const dead = await waitFor('dead letter', async () =>
      (await deadLetters(h, 'account')).find((d) => d.key === other),
    );
    expect(dead.lastError).toMatchObject({ code: 'D365_RECORD_NOT_OWNED' });
    expect(dead.lastError.details).toMatchObject({ correlationField: 'SalesforceId', key: 'US-001' });
    expect(customer('US-001')!.OrganizationName).toBe(name);
  });
});
