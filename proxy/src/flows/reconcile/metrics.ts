/**
 * What the last reconciliation of this replica found, for alerting: drift shows in `/metrics`
 * the morning after the daily run, without anyone reading the report.
 */
import { Gauge } from 'prom-client';
import type { Registry } from '../../metrics.js';
import { FINDING_KINDS, type ReconcileReport } from './report.js';

export interface ReconcileMetrics {
  observe(report: ReconcileReport): void;
}

export function createReconcileMetrics(registry: Registry | undefined): ReconcileMetrics {
  if (!registry) return { observe: () => undefined };
  const findings = new Gauge({
    name: 'fobridge_reconcile_findings',
    help: 'Records the last reconciliation of each flow found, by kind (missingInFno, missingInSalesforce, different, wrongCompany, pendingTooLong)',
    labelNames: ['flow', 'kind'],
    registers: [registry],
  });
  const lastRun = new Gauge({
    name: 'fobridge_reconcile_last_run_timestamp_seconds',
    help: 'Unix time the last reconciliation of each flow finished',
    labelNames: ['flow'],
    registers: [registry],
  });
  return {
    observe(report) {
      const finished = Date.parse(report.finishedAt) / 1000;
      for (const flow of report.scope.flows) {
        const pairs = report.pairs.filter((p) => p.flow === flow);
        for (const kind of FINDING_KINDS)
          findings.set(
            { flow, kind },
            pairs.reduce((n, p) => n + p.counts[kind], 0),
          );
        lastRun.set({ flow }, finished);
      }
    },
  };
}
