/**
 * One reconciliation: per flow and company, what Salesforce has against what F&O has, derived
 * from the flows' `reconcile` declarations in the registry (docs/reconciliation.md).
 *
 * Reads are cheap and background: F&O with `$select` of the compared fields only, page by page,
 * on the governor's `bulk` lane; Salesforce with SOQL pages of 2,000 (`queryMore`) or, above
 * SF_BULK_THRESHOLD, a Bulk API 2.0 query, each after `waitForBackground` (the API budget floor,
 * SF_API_FLOOR_PCT). Each direction's comparison is in its own file.
 *
 * Repair goes through the normal flows only: a Salesforce record is enqueued again for its flow's
 * handler (create-once, and a PATCH only of a row provably its own); an F&O → Salesforce flow is
 * run for the company (upserts by External ID). Nothing is deleted, and a record in the wrong
 * company is reported, never moved.
 */
import { randomUUID } from 'node:crypto';
import { FNO_TO_SALESFORCE, SALESFORCE_TO_FNO } from '../sync/registry.js';
import { Pairs, type ReconcileDeps, type ReconcileOptions } from './context.js';
import { UnknownReconcileFlowError } from './errors.js';
import { fnoToSalesforce } from './fno-to-salesforce.js';
import { FINDING_KINDS, type ReconcileReport } from './report.js';
import { salesforceToFno } from './salesforce-to-fno.js';

export type { ReconcileDeps, ReconcileOptions };

/** Every flow reconciliation knows, in registry order. */
export function reconcileFlowNames(): string[] {
  return [...SALESFORCE_TO_FNO.map((f) => f.flow), ...FNO_TO_SALESFORCE.map((f) => f.flow)];
}

export async function reconcile(opts: ReconcileOptions, deps: ReconcileDeps): Promise<ReconcileReport> {
  const known = reconcileFlowNames();
  const unknown = opts.flows?.find((f) => !known.includes(f));
  if (unknown) throw new UnknownReconcileFlowError(unknown, known);
  const mapped = Object.keys(deps.cfg.companies);
  const companies = opts.companies?.length ? opts.companies.map((c) => c.toLowerCase()) : mapped;
  const startedAt = new Date(deps.clock()).toISOString();
  const id = `${startedAt.replace(/[-:.]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;
  const wanted = (flow: string) => !opts.flows?.length || opts.flows.includes(flow);
  const pairs = new Pairs();
  const notes: string[] = [];
  const requests = { fno: 0, salesforce: 0 };
  const apply = opts.repair && !opts.dryRun;
  const run = { opts, deps, pairs, notes, requests, companies, mapped, id, apply };

  for (const flow of SALESFORCE_TO_FNO) if (wanted(flow.flow)) await salesforceToFno(flow, run);
  for (const flow of FNO_TO_SALESFORCE) if (wanted(flow.flow)) await fnoToSalesforce(flow, run);

  const findings = pairs.list.flatMap((p) => p.findings);
  const summary = Object.fromEntries(
    FINDING_KINDS.map((k) => [k, pairs.list.reduce((n, p) => n + p.counts[k], 0)]),
  ) as ReconcileReport['summary'];
  const planned = findings.filter((f) => f.repair.action !== 'none');
  return {
    id,
    startedAt,
    finishedAt: new Date(deps.clock()).toISOString(),
    trigger: opts.trigger,
    repair: opts.repair,
    dryRun: opts.dryRun,
    scope: { flows: known.filter(wanted), companies },
    requests,
    ok: FINDING_KINDS.every((k) => summary[k] === 0),
    summary,
    repairs: {
      planned: planned.length,
      applied: planned.filter((f) => f.repair.applied).length,
      leftToPeople: findings.length - planned.length,
    },
    notes,
    pairs: pairs.list,
  };
}
