/**
 * What an operator sees in `/metrics`: after some real traffic (a synced Account, a dead letter, an
 * inventory read, a throttled F&O call, an unknown path) every metric the Grafana dashboard
 * (docs/grafana/fo-bridge.json) queries has samples, HTTP routes are patterns, and the process
 * metrics carry one prefix.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  account,
  deadLetters,
  fixture,
  KEY,
  seedSalesforce,
  sfId,
  startHarness,
  waitFor,
  type Harness,
} from './sync-harness.js';

const DASHBOARD = new URL('../../../docs/grafana/fo-bridge.json', import.meta.url);

let h: Harness;
let scrape: string;

beforeAll(async () => {
  h = await startHarness({ defaultMetrics: true });
  await h.start({ INVENTORY_TTL_S: '0' });
  const good = account(sfId('001', 1));
  const lost = account(sfId('001', 2), { D365_Legal_Entity__c: 'nowhere' });
  seedSalesforce(h.sf, 'Account', [good, lost]);
  expect((await h.post('/v1/sync/accounts', { records: [good, lost] })).status).toBe(202);
  await waitFor(
    'the Account written back',
    () => h.sf.control.record('Account', String(good.Id))?.D365_Customer_Number__c,
  );
  await waitFor('the dead letter', async () => (await deadLetters(h, 'account')).length === 1);
  // A Contact of an Account F&O does not have yet waits, queued, for a retry.
  const waiting = fixture('BridgeContract_SyncContactsRequest').records[0];
  waiting.AccountId = waiting.Account.Id = sfId('001', 3);
  delete waiting.Account.D365_Customer_Number__c;
  expect((await h.post('/v1/sync/contacts', { records: [waiting] })).status).toBe(202);
  await waitFor('the Contact to wait for its Account', () =>
    h.proxy.runtime.store.stats().then((s) => s.oldestQueued.some((q) => q.flow === 'contact')),
  );

  const get = (path: string) =>
    fetch(`${h.proxy.url}${path}`, { headers: { authorization: `Bearer ${KEY}` } });
  expect((await get('/v1/inventory?items=D0001&company=usmf')).status).toBe(200);
  h.d365.control.faults({ fail5xx: { count: 1, status: 429, retryAfterS: 1 } });
  expect((await get('/v1/inventory?items=L0002&company=usmf')).status).toBe(200);
  expect((await get('/v1/no-such-route/123?x=1')).status).toBe(404);

  scrape = await (await fetch(`${h.proxy.url}/metrics`)).text();
}, 30_000);
afterAll(async () => h?.close());

/** Names of the samples in a Prometheus text exposition (`name{labels} value`). */
function sampleNames(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(/[{ ]/, 1)[0]!),
  );
}

/** Every `fobridge_…` metric name in the dashboard's queries. */
function dashboardMetrics(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
  const exprs: string[] = dashboard.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr));
  return [...new Set(exprs.flatMap((e) => e.match(/\bfobridge_[a-z0-9_]+/g) ?? []))].sort();
}

/** Label sets of one metric's samples. */
function labelsOf(text: string, name: string): Array<Record<string, string>> {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`))
    .map((l) => Object.fromEntries([...l.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!])));
}

describe('/metrics and the Grafana dashboard', () => {
  it('every metric the dashboard queries has samples after traffic', () => {
    const queried = dashboardMetrics();
    expect(queried.length).toBeGreaterThan(15);
    const present = sampleNames(scrape);
    expect(queried.filter((name) => !present.has(name))).toEqual([]);
  });

  it('HTTP metrics label the route pattern, never the URL sent', () => {
    const routes = new Set(labelsOf(scrape, 'fobridge_http_requests_total').map((l) => l.route));
    expect(routes).toContain('/v1/inventory');
    expect(routes).toContain('/v1/sync/accounts');
    expect(routes).toContain('unmatched');
    expect([...routes].filter((r) => r?.includes('?') || r?.includes('123'))).toEqual([]);
    expect(labelsOf(scrape, 'fobridge_http_requests_total')).toContainEqual({
      method: 'GET',
      route: 'unmatched',
      status: '404',
    });
  });

  it('F&O and Salesforce calls are counted by status class', () => {
    const calls = labelsOf(scrape, 'fobridge_upstream_requests_total');
    expect(calls).toContainEqual(expect.objectContaining({ upstream: 'd365', status_class: '2xx' }));
    expect(calls).toContainEqual(expect.objectContaining({ upstream: 'd365', status_class: '4xx' }));
    expect(calls).toContainEqual(expect.objectContaining({ upstream: 'salesforce', status_class: '2xx' }));
  });

  it('process metrics have one prefix', () => {
    expect(scrape).toContain('fobridge_process_cpu_seconds_total');
    expect(scrape).toContain('fobridge_nodejs_eventloop_lag_p99_seconds');
    expect(scrape).not.toContain('process_process');
  });
});
