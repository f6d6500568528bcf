/**
 * What `FNO_TO_SALESFORCE` derives (pure; the end-to-end run is products-e2e.test.ts): a job
 * handler and, from its cron setting, a schedule per flow; a run refused at once when a part
 * is missing.
 */
import { describe, expect, it } from 'vitest';
import { registerFnoFlows } from '../../src/flows/fno-flows.js';
import { FNO_TO_SALESFORCE } from '../../src/flows/sync/registry.js';
import type { JobQueue, Store } from '../../src/jobs/index.js';
import { testConfig } from '../http/helpers.js';

function build(env: Record<string, string>) {
  const handlers: string[] = [];
  const queue = { registerHandler: (flow: string) => handlers.push(flow) } as unknown as JobQueue;
  const fno = registerFnoFlows({
    queue,
    store: {} as Store,
    d365: undefined,
    salesforce: undefined,
    bridge: undefined,
    config: testConfig(env),
  });
  return { fno, handlers };
}

describe('F&O → Salesforce flows from the registry', () => {
  it('products is declared, with a handler; its schedule is off by default', () => {
    const { fno, handlers } = build({});
    expect(FNO_TO_SALESFORCE.map((f) => f.flow)).toContain('products');
    expect(handlers).toEqual(FNO_TO_SALESFORCE.map((f) => f.flow));
    expect(fno.schedules.filter((s) => s.flow === 'products')).toEqual([]);
  });

  it('PRODUCTS_SYNC_CRON schedules the products run', () => {
    const { fno } = build({ PRODUCTS_SYNC_CRON: '0 2 * * *', PAYMENTS_SYNC_CRON: 'off' });
    expect(fno.schedules).toEqual([{ name: 'products', cron: '0 2 * * *', flow: 'products' }]);
  });

  it('payments is declared too, hourly by default (PAYMENTS_SYNC_CRON), off when set so', () => {
    expect(build({}).handlers).toContain('payments');
    expect(build({}).fno.schedules).toEqual([{ name: 'payments', cron: '0 * * * *', flow: 'payments' }]);
    expect(build({ PAYMENTS_SYNC_CRON: 'off' }).fno.schedules).toEqual([]);
  });

  it('a run without F&O, Salesforce or mapping file is refused with FLOW_NOT_CONFIGURED', async () => {
    const { fno } = build({});
    await expect(fno.request('products', { full: false, dryRun: true })).rejects.toMatchObject({
      code: 'FLOW_NOT_CONFIGURED',
      missing: ['F&O', 'Salesforce', 'BRIDGE_CONFIG'],
    });
  });
});
