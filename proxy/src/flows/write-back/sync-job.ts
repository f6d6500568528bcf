/**
 * The frame every sync job (flows 1–3) runs in: do the F&O work, write the result back to the
 * Salesforce record, and turn any failure into what the job queue and the user need.
 *
 *  - success → `<key field>`, `D365_Sync_Status__c = Synced`, `D365_Last_Synced__c`, and
 *    `D365_Sync_Error__c` cleared; the job completes only after Salesforce stored it;
 *  - permanent failure (mapping rejection, F&O validation, Salesforce INVALID_FIELD…) →
 *    `D365_Sync_Status__c = Error` with the reason (F&O's Infolog lines) on the record, and a
 *    dead letter with the full reason (code, F&O message, Infolog, entity, key);
 *  - transient failure → rethrown for the queue's backoff; on the last attempt the record is
 *    marked Error too, so nobody waits for a record that will not move without help.
 */
import { PermanentJobError, TransientJobError, type Job, type JobContext } from '../../jobs/index.js';
import type { D365Client } from '../../d365/index.js';
import type { Store } from '../../jobs/index.js';
import { apiName, type BridgeConfig } from '../../mapping/index.js';
import { SyncProblem, describeFailure, truncateSyncError } from './failure.js';
import type { OwnershipMetrics } from '../numbering/ownership.js';
import type { SyncObject, SyncWriteBack } from './write-back.js';

/** The status fields every sync job writes back (besides its F&O key field); `doctor` checks FLS on them. */
export const SYNC_STATUS_FIELDS = [
  'D365_Sync_Status__c',
  'D365_Last_Synced__c',
  'D365_Sync_Error__c',
] as const;

export interface SyncJobSpec {
  object: SyncObject;
  /** For people: `customer`, `contact person`, `sales order`. */
  what: string;
  /** Package field that receives the F&O key (`D365_Customer_Number__c`…). */
  keyField: string;
}

export interface SyncJobDeps {
  writeBack: SyncWriteBack;
  /** JOB_MAX_ATTEMPTS: the attempt after which a transient failure becomes a dead letter. */
  maxAttempts: number;
  clock?: () => number;
}

/** Context the work fills in as it learns it (company, F&O key…), for dead letters and logs. */
export type Trace = Record<string, unknown>;

export async function runSyncJob(
  spec: SyncJobSpec,
  job: Job<unknown>,
  ctx: JobContext,
  deps: SyncJobDeps,
  work: (trace: Trace) => Promise<string>,
): Promise<void> {
  const trace: Trace = {};
  let fnoKey: string;
  try {
    fnoKey = await work(trace);
  } catch (err) {
    return fail(spec, job, ctx, deps, err, trace);
  }
  trace.fnoKey = fnoKey;
  const now = new Date((deps.clock ?? Date.now)()).toISOString();
  try {
    await deps.writeBack.write(spec.object, job.key, {
      [spec.keyField]: fnoKey,
      D365_Sync_Status__c: 'Synced',
      D365_Last_Synced__c: now,
      D365_Sync_Error__c: null,
    });
  } catch (err) {
    return fail(spec, job, ctx, deps, err, { ...trace, stage: 'write-back' });
  }
  ctx.log.info({ fnoKey, company: trace.company, outcome: trace.outcome }, `${spec.what} synced`);
}

async function fail(
  spec: SyncJobSpec,
  job: Job<unknown>,
  ctx: JobContext,
  deps: SyncJobDeps,
  err: unknown,
  trace: Trace,
): Promise<never> {
  if (ctx.signal.aborted) throw err; // shutting down or lease lost: the queue decides
  const f = describeFailure(err, {
    flow: job.flow,
    object: spec.object,
    salesforceId: job.key,
    what: spec.what,
    ...trace,
  });
  const lastAttempt = ctx.attempt >= deps.maxAttempts;
  if (f.transient && !lastAttempt) {
    throw new TransientJobError({
      code: f.code,
      message: f.message,
      details: f.details,
      ...(f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {}),
      cause: err,
    });
  }

  // Tell the user on the record. If Salesforce cannot take even that, say so in the dead letter.
  let writeBackProblem: string | undefined;
  if (deps.writeBack.configured) {
    const text = f.transient ? `Still failing after ${ctx.attempt} attempts: ${f.recordText}` : f.recordText;
    try {
      await deps.writeBack.write(spec.object, job.key, {
        D365_Sync_Status__c: 'Error',
        D365_Sync_Error__c: truncateSyncError(text),
      });
    } catch (wbErr) {
      const w = describeFailure(wbErr, {});
      if (w.transient && !lastAttempt) {
        throw new TransientJobError({
          code: w.code,
          message: `${f.code}: ${f.message} — and marking the record Error in Salesforce failed: ${w.message}`,
          details: { ...f.details, writeBackError: w.message },
          ...(w.retryAfterMs !== undefined ? { retryAfterMs: w.retryAfterMs } : {}),
          cause: wbErr,
        });
      }
      writeBackProblem = w.message;
    }
  }
  const details = {
    ...f.details,
    recordText: f.recordText,
    ...(writeBackProblem ? { writeBackError: writeBackProblem } : {}),
  };
  const message = writeBackProblem
    ? `${f.message} (the record could not be marked Error in Salesforce: ${writeBackProblem})`
    : f.message;
  if (f.transient) {
    // Out of attempts: the queue dead-letters it with this reason.
    throw new TransientJobError({ code: f.code, message, details, cause: err });
  }
  throw new PermanentJobError({ code: f.code, message, details, cause: err });
}

// ── what the three sync handlers share ──────────────────────────────────────────────────────

export interface SyncFlowDeps extends SyncJobDeps {
  d365: D365Client | undefined;
  /** The mapping file (BRIDGE_CONFIG); undefined when none is configured. */
  bridge: BridgeConfig | undefined;
  /** Idempotency ledger and number ranges. */
  store: Store;
  /** SF_NAMESPACE: how the package's fields are named in the records Salesforce sends. */
  namespace: string;
  /**
   * The parent Account's current `D365_Customer_Number__c`, read from Salesforce. A Contact or
   * Opportunity sent before its Account was synced carries no number; once the Account flow has
   * written it back, a retry (or a dead-letter replay) picks it up here instead of failing again.
   */
  parentCustomerNumber?: (accountId: string) => Promise<string | undefined>;
  /** Counts F&O records found at a key the proxy meant to use that were not its own. */
  ownership?: OwnershipMetrics;
}

/**
 * The record with its parent's customer number filled in from Salesforce when the payload lacks
 * it (see `parentCustomerNumber`); the record unchanged when there is nothing newer to know.
 */
export async function withCurrentParent(
  record: Record<string, unknown>,
  deps: SyncFlowDeps,
): Promise<Record<string, unknown>> {
  const accountId = typeof record.AccountId === 'string' ? record.AccountId : undefined;
  if (!accountId || !deps.parentCustomerNumber) return record;
  const field = apiName('D365_Customer_Number__c', deps.namespace);
  const parent = (record.Account ?? {}) as Record<string, unknown>;
  if (typeof parent[field] === 'string' && String(parent[field]).trim() !== '') return record;
  const number = await deps.parentCustomerNumber(accountId);
  return number ? { ...record, Account: { ...parent, [field]: number } } : record;
}

/** The mapping file and the F&O client, or the reason the job cannot run. */
/** What a flow's sync step works with for one job run. */
export interface SyncRun {
  d365: D365Client;
  cfg: BridgeConfig;
  deps: SyncFlowDeps;
  ctx: JobContext;
  trace: Trace;
}

export function upstreams(deps: SyncFlowDeps): { d365: D365Client; cfg: BridgeConfig } {
  if (!deps.bridge) {
    throw new SyncProblem(
      'BRIDGE_CONFIG_MISSING',
      'The proxy has no mapping file (BRIDGE_CONFIG is not set), so it cannot tell which F&O company and defaults to use. Set BRIDGE_CONFIG, restart, then replay the dead letters with code BRIDGE_CONFIG_MISSING.',
    );
  }
  if (!deps.d365) {
    throw new SyncProblem(
      'D365_NOT_CONFIGURED',
      'The proxy has no F&O connection: set D365_URL, D365_TENANT_ID, D365_CLIENT_ID and D365_CLIENT_SECRET.',
      {},
      { transient: true, retryAfterMs: 60_000 },
    );
  }
  return { d365: deps.d365, cfg: deps.bridge };
}
