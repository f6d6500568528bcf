/**
 * The catch-up sweep (a lost callout heals itself): on a schedule, ask Salesforce for
 * Accounts, Contacts and won Opportunities whose `D365_Sync_Status__c` is still `Pending` although
 * they were last modified more than `ageMinutes` ago, and enqueue them exactly as the package's
 * callout would have (the registry's fields, which `D365SyncSelector` selects too; same job key = Salesforce Id, same
 * version = `SystemModstamp`). A record that is already queued, running or done at that version
 * is a no-op (`duplicate` / `stale`), so the sweep only adds what was really lost.
 *
 * Background work: each query first waits for the Salesforce API budget (`waitForBackground`).
 */
import type { JobHandler, JobLogger, JobQueue } from '../../jobs/index.js';
import type { SalesforceClient } from '../../salesforce/index.js';
import { acceptRecords, MAX_RECORDS } from '../intake/salesforce-records.js';
import { soqlSelectList, type SalesforceToFnoFlow } from '../sync/flow.js';
import { SALESFORCE_TO_FNO } from '../sync/registry.js';

export const SWEEP_FLOW = 'sync-sweep';

export interface SweepOptions {
  salesforce: Pick<SalesforceClient, 'queryAll' | 'sfName' | 'budget'>;
  queue: Pick<JobQueue, 'enqueueMany'>;
  /** SYNC_SWEEP_AGE_MIN. */
  ageMinutes: number;
  /** SYNC_SWEEP_LIMIT: records per object per run. */
  limit: number;
  clock?: () => number;
  logger?: JobLogger;
}

export interface SweepResult {
  object: string;
  found: number;
  enqueued: number;
  alreadyKnown: number;
  rejected: number;
}

/** The SOQL of one flow's sweep: the registry's SELECT, still Pending, older than `cutoff`. */
export function sweepQuery(flow: SalesforceToFnoFlow, cutoff: string, limit: number): string {
  const filter = flow.sweepFilter ? ` AND ${flow.sweepFilter}` : '';
  return (
    `SELECT ${soqlSelectList(flow.select)} FROM ${flow.sobject} ` +
    `WHERE D365_Sync_Status__c = 'Pending' AND LastModifiedDate < ${cutoff}${filter} ` +
    `ORDER BY LastModifiedDate LIMIT ${limit}`
  );
}

/** SOQL datetime literal (no quotes, no milliseconds). */
function soqlDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function sweepPending(opts: SweepOptions, signal?: AbortSignal): Promise<SweepResult[]> {
  const cutoff = soqlDateTime((opts.clock ?? Date.now)() - opts.ageMinutes * 60_000);
  const out: SweepResult[] = [];
  for (const q of SALESFORCE_TO_FNO) {
    await opts.salesforce.budget.waitForBackground(signal ? { signal } : {});
    const soql = sweepQuery(q, cutoff, opts.limit);
    // The client hands back package names; the flows read records as the org sends them.
    const records = (await opts.salesforce.queryAll<Record<string, unknown>>(soql)).map((r) =>
      toOrgNames(r, opts.salesforce.sfName),
    );
    const result: SweepResult = {
      object: q.sobject,
      found: records.length,
      enqueued: 0,
      alreadyKnown: 0,
      rejected: 0,
    };
    for (let i = 0; i < records.length; i += MAX_RECORDS) {
      const accepted = await acceptRecords(
        opts.queue as JobQueue,
        q.flow,
        q.sobject,
        records.slice(i, i + MAX_RECORDS),
      );
      for (const a of accepted) {
        if (a.status === 'rejected') result.rejected += 1;
        else if (
          a.outcome === 'enqueued' ||
          a.outcome === 'superseded-older' ||
          a.outcome === 'queued-behind'
        )
          result.enqueued += 1;
        else result.alreadyKnown += 1;
      }
    }
    out.push(result);
  }
  return out;
}

export function toOrgNames(value: unknown, sfName: (n: string) => string): any {
  if (Array.isArray(value)) return value.map((v) => toOrgNames(v, sfName));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k === 'attributes' ? k : sfName(k)] = k === 'attributes' ? v : toOrgNames(v, sfName);
  }
  return out;
}

/** The job handler the scheduler's `sync-sweep` runs call. */
export function createSweepHandler(opts: SweepOptions): JobHandler<unknown> {
  return async (_job, ctx) => {
    const results = await sweepPending(opts, ctx.signal);
    const enqueued = results.reduce((n, r) => n + r.enqueued, 0);
    (enqueued > 0 ? ctx.log.warn : ctx.log.info).call(
      ctx.log,
      { results },
      enqueued > 0
        ? `sync sweep re-enqueued ${enqueued} Pending record(s) whose callout was lost`
        : 'sync sweep found nothing lost',
    );
  };
}
