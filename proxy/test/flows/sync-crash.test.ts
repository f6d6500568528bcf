/**
 * The proxy process dies (SIGKILL) while its `$batch` for a sales order is on the wire and F&O
 * commits it anyway. The next proxy on the same store finds the order by its reference and writes
 * it back: one order, never two.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixture,
  KEY,
  seedSalesforce,
  spawnProxy,
  startHarness,
  waitFor,
  type Harness,
  type Row,
} from './sync-harness.js';

let h: Harness;
let child: ChildProcess | null = null;

function killHard(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGKILL');
  });
}

beforeAll(async () => {
  h = await startHarness();
}, 20_000);
afterAll(async () => {
  if (child) await killHard(child);
  await h?.close();
});

describe('proxy killed during the order call', () => {
  it('still exactly one sales order after the restart, written back', async () => {
    const opp = fixture('BridgeContract_OrdersRequest').records[0] as Row;
    const oppId = String(opp.Id);
    seedSalesforce(h.sf, 'Account', [
      { Id: opp.AccountId, Name: 'Fabrikam Supplies', D365_Customer_Number__c: 'US-024' },
    ]);
    seedSalesforce(h.sf, 'Opportunity', [opp]);
    const env = h.env({
      TEST_D365_TOKEN_ENDPOINT: `${h.d365.url}/${h.d365.tenantId}/oauth2/v2.0/token`,
      JOB_LEASE_S: '5',
    });
    const orders = () =>
      h.d365.control
        .rows('SalesOrderHeadersV2', { company: 'usmf' })
        .filter((o) => o.CustomersOrderReference === oppId);

    // F&O takes 1.5 s for the changeset: plenty of time to kill the proxy while it waits.
    h.d365.control.setLatency({ batchBaseMs: 1500 });
    const first = await spawnProxy(env);
    child = first.child;
    const before = h.d365.control.counters().batchRequests;
    const res = await fetch(`${first.url}/v1/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ records: [opp] }),
    });
    expect(res.status).toBe(202);
    await waitFor(
      'the $batch to be in flight',
      () => h.d365.control.counters().inFlight > 0 && h.d365.control.counters().batchRequests >= before,
    );
    await new Promise((r) => setTimeout(r, 300));
    await killHard(child);
    child = null;
    // F&O finishes the changeset although nobody is listening any more.
    await waitFor('F&O to commit the order', () => orders().length === 1, 5000);
    h.d365.control.setLatency({ batchBaseMs: 2 });

    const second = await spawnProxy(env);
    child = second.child;
    const done = await waitFor(
      'the restarted proxy to write the order back',
      () => {
        const o = h.sf.control.record('Opportunity', oppId);
        return o?.D365_Sync_Status__c === 'Synced' && o;
      },
      15_000,
    );
    expect(orders()).toHaveLength(1);
    expect(done.D365_Sales_Order_Number__c).toBe(orders()[0]!.SalesOrderNumber);
    expect(
      h.d365.control
        .rows('SalesOrderLines', { company: 'usmf' })
        .filter((l) => l.SalesOrderNumber === done.D365_Sales_Order_Number__c),
    ).toHaveLength(2);
    await killHard(child);
    child = null;
  }, 29_000);
});
