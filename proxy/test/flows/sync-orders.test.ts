/**
 * Flow 3 end to end: a Closed Won Opportunity with products becomes ONE F&O sales order (header
 * and lines in one atomic changeset, proxy-assigned number), written back to the Opportunity —
 * also when the answer to the changeset is lost, and never half an order.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
const base = fixture('BridgeContract_OrdersRequest').records[0];
const ACCOUNT = String(base.AccountId);

beforeAll(async () => {
  h = await startHarness();
  await h.start();
  seedSalesforce(h.sf, 'Account', [
    {
      Id: ACCOUNT,
      Name: 'Fabrikam Supplies',
      D365_Customer_Number__c: 'US-024',
      D365_Legal_Entity__c: 'usmf',
    },
  ]);
}, 20_000);
afterAll(async () => h?.close());
beforeEach(() => h.d365.control.clearFaults());

/** The contract Opportunity under another Id (its lines re-keyed too). */
function opportunity(n: number, patch: (o: any) => void = () => {}): Row {
  const o = structuredClone(base);
  const id = n === 0 ? o.Id : sfId('006', n);
  o.Id = id;
  o.attributes.url = `/services/data/v62.0/sobjects/Opportunity/${id}`;
  o.OpportunityLineItems.records.forEach((l: Row, i: number) => {
    l.OpportunityId = id;
    if (n !== 0) l.Id = sfId('00k', n * 10 + i);
  });
  patch(o);
  seedSalesforce(h.sf, 'Opportunity', [o]);
  return o;
}

const orders = (id: string) =>
  h.d365.control
    .rows('SalesOrderHeadersV2', { company: 'usmf' })
    .filter((o) => o.CustomersOrderReference === id);
const lines = (number: unknown) =>
  h.d365.control.rows('SalesOrderLines', { company: 'usmf' }).filter((l) => l.SalesOrderNumber === number);
const sfOpp = (id: string) => h.sf.control.record('Opportunity', id) as Row | undefined;
const synced = (id: string) =>
  waitFor(`Opportunity ${id} synced`, () => sfOpp(id)?.D365_Sync_Status__c === 'Synced' && sfOpp(id));

describe('POST /v1/orders → SalesOrderHeadersV2 + SalesOrderLines', () => {
  it('the contract Opportunity becomes one sales order with its lines, and the number goes back to Salesforce', async () => {
    const opp = opportunity(0);
    const res = await h.post('/v1/orders', { records: [opp] });
    expect(res.status).toBe(202);
    const contract = fixture('BridgeContract_OrdersResponse');
    for (const key of Object.keys(contract.results[0])) expect(res.body.results[0]).toHaveProperty(key);

    const done = await synced(String(opp.Id));
    expect(done.D365_Sales_Order_Number__c).toMatch(/^SFO\d{7}$/);
    const [order, ...more] = orders(String(opp.Id));
    expect(more).toHaveLength(0);
    expect(order).toMatchObject({
      SalesOrderNumber: done.D365_Sales_Order_Number__c,
      OrderingCustomerAccountNumber: 'US-024',
    });
    const got = lines(order!.SalesOrderNumber).map((l) => [
      l.ItemNumber,
      l.OrderedSalesQuantity,
      l.SalesPrice,
    ]);
    expect(got).toEqual([
      ['D0001', 10, 389.45],
      ['D0006', 40, 189],
    ]);

    // A newer version of the same Opportunity (e.g. an edit after Closed Won) creates nothing new.
    const again = { ...opp, SystemModstamp: '2026-08-21T12:00:00.000+0000' };
    h.sf.control.putRecords('Opportunity', [{ Id: opp.Id, D365_Sync_Status__c: 'Pending' }]);
    await h.post('/v1/orders', { records: [again] });
    await synced(String(opp.Id));
    expect(orders(String(opp.Id))).toHaveLength(1);
  });

  it('the answer to the changeset is lost after F&O committed: still exactly one order, written back', async () => {
    const opp = opportunity(201);
    h.d365.control.faults({ commitNoAnswer: { count: 1, entity: 'SalesOrderHeadersV2' } });
    await h.post('/v1/orders', { records: [opp] });
    const done = await synced(String(opp.Id));
    expect(h.d365.control.faults().commitNoAnswer.count).toBe(0); // the fault fired
    expect(orders(String(opp.Id))).toHaveLength(1);
    expect(orders(String(opp.Id))[0]!.SalesOrderNumber).toBe(done.D365_Sales_Order_Number__c);
    expect(lines(done.D365_Sales_Order_Number__c)).toHaveLength(2);
  });

  it("an unknown item: nothing is created (the changeset rolls back), F&O's Infolog on the record and in the dead letter", async () => {
    const opp = opportunity(202, (o) => {
      o.OpportunityLineItems.records[1].Product2.D365_Item_Number__c = 'NO-SUCH-ITEM';
    });
    await h.post('/v1/orders', { records: [opp] });
    const bad = await waitFor(
      'Error on the Opportunity',
      () => sfOpp(String(opp.Id))?.D365_Sync_Status__c === 'Error' && sfOpp(String(opp.Id)),
    );
    expect(String(bad.D365_Sync_Error__c)).toMatch(/F&O rejected the sales order/);
    expect(String(bad.D365_Sync_Error__c)).toMatch(/NO-SUCH-ITEM/);
    const dead = await waitFor('dead letter', async () =>
      (await deadLetters(h, 'order')).find((d) => d.key === opp.Id),
    );
    expect(dead.lastError.code).toBe('D365_VALIDATION');
    const detail = (await h.admin(`/v1/dead-letters/${dead.id}`)).body;
    expect(detail.lastError.details.infolog.join('\n')).toMatch(/NO-SUCH-ITEM/);
    expect(orders(String(opp.Id))).toHaveLength(0); // not even the header
  });

  it('waits for the Account: PARENT_NOT_SYNCED is retried and succeeds once the Account has its customer number', async () => {
    const accountId = sfId('001', 301);
    seedSalesforce(h.sf, 'Account', [{ Id: accountId, Name: 'Late Account', D365_Legal_Entity__c: 'usmf' }]);
    const opp = opportunity(203, (o) => {
      o.AccountId = accountId;
      o.Account = {
        attributes: { type: 'Account' },
        Id: accountId,
        Name: 'Late Account',
        D365_Legal_Entity__c: 'usmf',
      };
    });
    const { jobId } = (await h.post('/v1/orders', { records: [opp] })).body.results[0];
    const job = await waitFor('a failed first attempt', async () => {
      const j = (await h.admin(`/v1/jobs/${jobId}`)).body;
      return j.lastError?.code === 'PARENT_NOT_SYNCED' && j;
    });
    expect(job.state).toBe('queued');
    // The Account flow writes its number back (US-024 stands in for the new customer).
    h.sf.control.putRecords('Account', [{ Id: accountId, D365_Customer_Number__c: 'US-024' }]);
    const done = await synced(String(opp.Id));
    expect(orders(String(opp.Id))).toHaveLength(1);
    expect(orders(String(opp.Id))[0]!.SalesOrderNumber).toBe(done.D365_Sales_Order_Number__c);
  });

  it('an unmapped business unit is a dead letter with Error on the record', async () => {
    const opp = opportunity(204, (o) => {
      o.Account.D365_Legal_Entity__c = 'EMEA-South';
    });
    await h.post('/v1/orders', { records: [opp] });
    const bad = await waitFor(
      'Error',
      () => sfOpp(String(opp.Id))?.D365_Sync_Status__c === 'Error' && sfOpp(String(opp.Id)),
    );
    expect(String(bad.D365_Sync_Error__c)).toMatch(/UNMAPPED_LEGAL_ENTITY/);
    expect(orders(String(opp.Id))).toHaveLength(0);
  });
});
