/**
 * Values F&O must never see, end to end: an Account whose name carries a NUL byte and an
 * Opportunity with `Quantity: 1e308` go through the sync intake and the job, are rejected by the
 * mapping with a reason on the Salesforce record and in the dead letter, and not one request
 * reaches the F&O emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const failed = (object: string, id: string) =>
  waitFor(`${object} ${id} marked Error`, () => {
    const r = h.sf.control.record(object, id) as Row | undefined;
    return r?.D365_Sync_Status__c === 'Error' && r;
  });
const deadLetter = (flow: string, id: string) =>
  waitFor(`dead letter for ${id}`, async () => (await deadLetters(h, flow)).find((d) => d.key === id));

describe('values F&O must never see', () => {
  it('an Account name with a NUL byte: INVALID_TEXT on the record and in the dead letter, nothing sent to F&O', async () => {
    const id = sfId('001', 901);
    const rec = account(id, { Name: 'Contoso\u0000Retail' });
    seedSalesforce(h.sf, 'Account', [rec]);
    h.d365.control.resetCounters();
    const customers = h.d365.control.rows('CustomersV3', { company: 'usmf' }).length;

    const res = await h.post('/v1/sync/accounts', { records: [rec] });
    expect(res.status).toBe(202);
    const bad = await failed('Account', id);
    expect(String(bad.D365_Sync_Error__c)).toMatch(/^INVALID_TEXT: .*Name.*U\+0000/);
    const dead = await deadLetter('account', id);
    expect(dead.lastError).toMatchObject({ code: 'INVALID_TEXT', transient: false });

    expect(h.d365.control.counters().requests.total).toBe(0);
    expect(h.d365.control.rows('CustomersV3', { company: 'usmf' })).toHaveLength(customers);
  });

  it('Quantity: 1e308 on an order line: INVALID_QUANTITY on the Opportunity, no order, nothing sent to F&O', async () => {
    const o = structuredClone(fixture('BridgeContract_OrdersRequest').records[0]);
    const id = sfId('006', 901);
    o.Id = id;
    o.attributes.url = `/services/data/v62.0/sobjects/Opportunity/${id}`;
    o.OpportunityLineItems.records.forEach((l: Row, i: number) => {
      l.OpportunityId = id;
      l.Id = sfId('00k', 9010 + i);
    });
    o.OpportunityLineItems.records[0].Quantity = 1e308;
    seedSalesforce(h.sf, 'Opportunity', [o]);
    h.d365.control.resetCounters();
    const headers = h.d365.control.rows('SalesOrderHeadersV2', { company: 'usmf' }).length;

    const res = await h.post('/v1/orders', { records: [o] });
    expect(res.status).toBe(202);
    const bad = await failed('Opportunity', id);
    expect(String(bad.D365_Sync_Error__c)).toMatch(/^INVALID_QUANTITY: .*1e\+308.*more than F&O can store/);
    const dead = await deadLetter('order', id);
    expect(dead.lastError).toMatchObject({ code: 'INVALID_QUANTITY', transient: false });
    expect(dead.lastError.details).toMatchObject({ field: 'OpportunityLineItems.records[0].Quantity' });

    expect(h.d365.control.counters().requests.total).toBe(0);
    expect(h.d365.control.counters().batchRequests).toBe(0);
    expect(h.d365.control.rows('SalesOrderHeadersV2', { company: 'usmf' })).toHaveLength(headers);
  });
});
