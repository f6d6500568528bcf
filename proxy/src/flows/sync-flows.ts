/**
 * Flows 1–3 on the durable queue: registers one handler per registry entry
 * (`sync/registry.ts`: `account`, `contact`, `order`, the flows the sync routes enqueue), each in
 * the job frame, the Salesforce write-back they share, and the `sync-sweep` handler of the
 * catch-up schedule.
 */
import type { D365Client } from '../d365/index.js';
import type { JobHandler, JobQueue, Store } from '../jobs/index.js';
import type { BridgeConfig } from '../mapping/index.js';
import type { Registry } from '../metrics.js';
import type { SalesforceClient } from '../salesforce/index.js';
import { createOwnershipMetrics } from './numbering/ownership.js';
import { createSweepHandler, SWEEP_FLOW } from './sweep/pending-sweep.js';
import type { SyncFlowDeps } from './sync/flow.js';
import { syncJobHandler } from './sync/job-frame.js';
import { SALESFORCE_TO_FNO } from './sync/registry.js';
import { createWriteBack, notConfiguredWriteBack, type SyncWriteBack } from './write-back/write-back.js';

export { SWEEP_FLOW };

export interface SyncFlowsOptions {
  queue: JobQueue;
  store: Store;
  d365: D365Client | undefined;
  salesforce: SalesforceClient | undefined;
  bridge: BridgeConfig | undefined;
  /** SF_NAMESPACE. */
  namespace: string;
  /** JOB_MAX_ATTEMPTS. */
  maxAttempts: number;
  /** SYNC_WRITEBACK_FLUSH_MS. */
  flushMs: number;
  /** SYNC_SWEEP_AGE_MIN / SYNC_SWEEP_LIMIT. */
  sweep: { ageMinutes: number; limit: number };
  /** Where the flows' own metrics (number collisions) are registered. */
  registry?: Registry;
}

export interface SyncFlows {
  writeBack: SyncWriteBack;
  /** Flush pending write-backs (after the queue stopped). */
  close(): Promise<void>;
}

export function registerSyncFlows(opts: SyncFlowsOptions): SyncFlows {
  let active = 0;
  const writeBack = opts.salesforce
    ? createWriteBack({ salesforce: opts.salesforce, flushMs: opts.flushMs, activeJobs: () => active })
    : notConfiguredWriteBack();
  const deps: SyncFlowDeps = {
    d365: opts.d365,
    bridge: opts.bridge,
    store: opts.store,
    namespace: opts.namespace,
    writeBack,
    maxAttempts: opts.maxAttempts,
    ownership: createOwnershipMetrics(opts.registry),
  };
  const sf = opts.salesforce;
  if (sf) {
    deps.parentCustomerNumber = async (accountId) => {
      const account = await sf.get<Record<string, unknown>>('Account', accountId, [
        'D365_Customer_Number__c',
      ]);
      const n = account?.D365_Customer_Number__c;
      return typeof n === 'string' && n.trim() !== '' ? n.trim() : undefined;
    };
  }
  // Count running sync jobs so the write-back knows when nobody else can join its group.
  const counted =
    <P>(handler: JobHandler<P>): JobHandler<P> =>
    async (job, ctx) => {
      active += 1;
      try {
        await handler(job, ctx);
      } finally {
        active -= 1;
      }
    };
  for (const flow of SALESFORCE_TO_FNO) {
    opts.queue.registerHandler(flow.flow, counted(syncJobHandler(flow, deps)));
  }
  if (opts.salesforce) {
    opts.queue.registerHandler(
      SWEEP_FLOW,
      createSweepHandler({ salesforce: opts.salesforce, queue: opts.queue, ...opts.sweep }),
    );
  }
  return { writeBack, close: () => writeBack.close() };
}
