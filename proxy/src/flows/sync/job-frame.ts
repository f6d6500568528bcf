/**
 * The frame every sync job (flows 1–3) runs in: read the record once (the registry entry's
 * `read`: parse, validate, route), do the F&O work (its `sync`), write the result back to the
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
import type { D365Client } from '../../d365/index.js';
import {
  PermanentJobError,
  TransientJobError,
  type Job,
  type JobContext,
  type JobHandler,
} from '../../jobs/index.js';
import type { BridgeConfig } from '../../mapping/index.js';
import type { SyncObject } from '../write-back/write-back.js';
import { MappingRejectedError, SyncProblem, describeFailure, truncateSyncError } from './failure.js';
import type { SalesforceToFnoFlow, SyncFlowDeps, SyncJobDeps, Trace } from './flow.js';

/** The status fields every sync job writes back (besides its F&O key field); `doctor` checks FLS on them. */
export const SYNC_STATUS_FIELDS = [
  'D365_Sync_Status__c',
  'D365_Last_Synced__c',
  'D365_Sync_Error__c',
] as const;

/** What the frame needs to know of a flow (its registry entry has all of it). */
export interface SyncJobSpec {
  object: SyncObject;
  /** For people: `customer`, `contact person`, `sales order`. */
  what: string;
  /** Package field that receives the F&O key (`D365_Customer_Number__c`…). */
  keyField: string;
}

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
    ctx.releaseCapacity();
    return fail(spec, job, ctx, deps, err, trace);
  }
  // The F&O side is done; waiting for the batched write-back must not keep F&O's slots idle.
  ctx.releaseCapacity();
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

/**
 * The job handler of one registry entry: the record is read (parsed, validated, routed to its
 * company) once, then the flow's handler does the F&O work with it, all inside the frame above.
 */
export function syncJobHandler(flow: SalesforceToFnoFlow, deps: SyncFlowDeps): JobHandler<unknown> {
  const spec: SyncJobSpec = { object: flow.sobject, what: flow.what, keyField: flow.keyField };
  return (job, ctx) =>
    runSyncJob(spec, job, ctx, deps, async (trace) => {
      const { d365, cfg } = upstreams(deps);
      const record = flow.read(job.payload, cfg, { namespace: deps.namespace });
      if (!record.ok) throw new MappingRejectedError(record);
      trace.company = record.company;
      return flow.sync(record, { salesforceId: job.key, d365, cfg, deps, ctx, trace });
    });
}

/** The mapping file and the F&O client, or the reason the job cannot run. */
function upstreams(deps: SyncFlowDeps): { d365: D365Client; cfg: BridgeConfig } {
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
