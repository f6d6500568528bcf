/**
 * Flows 1–3 on the durable queue: registers the `account`, `contact` and `order` handlers (the
 * flows `POST /v1/sync/accounts`, `/v1/sync/contacts` and `/v1/orders` enqueue), the Salesforce
 * write-back they share, and the `sync-sweep` handler of the catch-up schedule.
 */
import type { D365Client } from '../d365/index.js';
import type { JobHandler, JobQueue, Store } from '../jobs/index.js';
import type { BridgeConfig } from '../mapping/index.js';
import type { Registry } from '../metrics.js';
import type { SalesforceClient } from '../salesforce/index.js';
import { createAccountHandler } from './accounts/account-handler.js';
import { createContactHandler } from './contacts/contact-handler.js';
import { createOwnershipMetrics } from './numbering/ownership.js';
import { createOrderHandler } from './orders/order-handler.js';
import { createSweepHandler, SWEEP_FLOW } from './sweep/pending-sweep.js';
import { createWriteBack, notConfiguredWriteBack, type SyncWriteBack } from './write-back/write-back.js';
import type { SyncFlowDeps } from './write-back/sync-job.js';

export const SYNC_FLOWS = {
  account: 'account',
  contact: 'contact',
  order: 'order',
  sweep: SWEEP_FLOW,
} as const;

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
  opts.queue.registerHandler(SYNC_FLOWS.account, counted(createAccountHandler(deps)));
  opts.queue.registerHandler(SYNC_FLOWS.contact, counted(createContactHandler(deps)));
  opts.queue.registerHandler(SYNC_FLOWS.order, counted(createOrderHandler(deps)));
  if (opts.salesforce) {
    opts.queue.registerHandler(
      SYNC_FLOWS.sweep,
      createSweepHandler({ salesforce: opts.salesforce, queue: opts.queue, ...opts.sweep }),
    );
  }
  return { writeBack, close: () => writeBack.close() };
}
