/**
 * Reconciliation's parts a user relies on without the emulators: every flow declares how it is
 * reconciled, values compare as people read them, and the store keeps the last N reports (a real
 * SQLite file).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/jobs/index.js';
import { differences, hashValues, normaliseAll } from '../../src/flows/reconcile/compare.js';
import { getReport, listReports, saveReport } from '../../src/flows/reconcile/history.js';
import { renderReport, type ReconcileReport } from '../../src/flows/reconcile/report.js';
import { FNO_TO_SALESFORCE, SALESFORCE_TO_FNO } from '../../src/flows/sync/registry.js';

describe('the registry declares how each flow is reconciled', () => {
  it.each(SALESFORCE_TO_FNO.map((f) => [f.flow, f] as const))('%s (Salesforce → F&O)', (_name, flow) => {
    expect(flow.reconcile.entity).toMatch(/^[A-Za-z0-9]+$/);
    expect(flow.reconcile.idPrefix).toMatch(/^[0-9a-zA-Z]{3}$/);
    expect(typeof flow.reconcile.mapped).toBe('function');
  });
  it.each(FNO_TO_SALESFORCE.map((f) => [f.flow, f] as const))('%s (F&O → Salesforce)', (_name, flow) => {
    expect(flow.reconcile).toBeDefined();
    // A flow with nothing to compare says why (shown in the report).
    if (flow.reconcile!.pairs.length === 0) expect(flow.reconcile!.note).toBeTruthy();
  });
});

describe('comparing mapped values', () => {
  it('empty and absent are the same, numbers compare as decimals, text is trimmed', () => {
    const sf = normaliseAll({ Name: 'Contoso ', Total: 100, Phone: '' });
    const fno = normaliseAll({ Name: 'Contoso', Total: '100.00', Phone: null });
    expect(differences(sf, fno)).toEqual([]);
  });
  it('lists each field that differs with both values, and the hashes differ', () => {
    const sf = normaliseAll({ Name: 'Contoso', City: 'Seattle' });
    const fno = normaliseAll({ Name: 'Contoso Ltd', City: 'Seattle' });
    expect(differences(sf, fno)).toEqual([{ field: 'Name', salesforce: 'Contoso', fno: 'Contoso Ltd' }]);
    expect(hashValues(sf)).not.toBe(hashValues(fno));
    expect(hashValues(sf)).toBe(hashValues(normaliseAll({ City: 'Seattle', Name: 'Contoso' })));
  });
});

function report(n: number): ReconcileReport {
  const at = new Date(Date.UTC(2026, 11, 1, 0, n)).toISOString();
  return {
    id: `r${n}`,
    startedAt: at,
    finishedAt: at,
    trigger: 'schedule',
    repair: false,
    dryRun: false,
    scope: { flows: ['account'], companies: ['usmf'] },
    requests: { fno: 1, salesforce: 1 },
    ok: n % 2 === 0,
    summary: {
      missingInFno: n % 2,
      missingInSalesforce: 0,
      different: 0,
      wrongCompany: 0,
      pendingTooLong: 0,
    },
    repairs: { planned: 0, applied: 0, leftToPeople: 0 },
    notes: [],
    pairs: [],
  };
}

describe('kept reports (the ledger, a real SQLite store)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fobridge-reconcile-'));
  let store: Store;
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the last N, newest first, and forgets the oldest', async () => {
    store = await openStore(`sqlite:${join(dir, 'bridge.db')}`);
    for (let n = 1; n <= 5; n += 1) await saveReport(store, report(n), 3);
    expect((await listReports(store)).map((r) => r.id)).toEqual(['r5', 'r4', 'r3']);
    expect((await getReport(store, 'r4'))?.id).toBe('r4');
    expect(await getReport(store, 'r1')).toBeUndefined();
    expect(await getReport(store, 'r2')).toBeUndefined();
  });

  it('renders a report for people', () => {
    const text = renderReport(report(2));
    expect(text).toContain('Reconciliation r2 (report only)');
    expect(text).toContain('Both systems agree.');
  });
});
