/**
 * Flow 6 in `FNO_TO_SALESFORCE` (pure): its job handler, its schedule from INVOICE_SWEEP_CRON
 * (hourly at :17 unless `off`), and the look-back a run without `since` starts from.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { registerFnoFlows } from '../../../src/flows/fno-flows.js';
import { sweepSince } from '../../../src/flows/invoices/invoices-flow.js';
import type { JobQueue, Store } from '../../../src/jobs/index.js';

function build(env: Record<string, string>) {
  const handlers: string[] = [];
  const queue = { registerHandler: (flow: string) => handlers.push(flow) } as unknown as JobQueue;
  const config = loadConfig({ NODE_ENV: 'test', STORE_URL: 'sqlite::memory:', ...env });
  const fno = registerFnoFlows({
    queue,
    store: {} as Store,
    d365: undefined,
    salesforce: undefined,
    bridge: undefined,
    config,
  });
  return { fno, handlers };
}

describe('the invoices entry of the F&O → Salesforce registry', () => {
  it('has a handler and is swept hourly at :17 by default; off disables it', () => {
    const on = build({});
    expect(on.handlers).toContain('invoices');
    expect(on.fno.schedules).toContainEqual({ name: 'invoices', cron: '17 * * * *', flow: 'invoices' });
    expect(build({ INVOICE_SWEEP_CRON: 'off' }).fno.schedules.map((s) => s.flow)).not.toContain('invoices');
  });

  it('starts from the requested day, else today minus INVOICE_SWEEP_DAYS (UTC)', () => {
    const now = Date.parse('2026-09-10T23:30:00Z');
    expect(sweepSince('2026-09-01', 3, now)).toBe('2026-09-01');
    expect(sweepSince(undefined, 3, now)).toBe('2026-09-07');
    expect(() => sweepSince('yesterday', 3, now)).toThrow(RangeError);
  });

  it('refuses a run at once without F&O, Salesforce or mapping file', async () => {
    await expect(build({}).fno.request('invoices', { full: false, dryRun: true })).rejects.toMatchObject({
      code: 'FLOW_NOT_CONFIGURED',
    });
  });
});
