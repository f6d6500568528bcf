/**
 * Builds the proxy's parts from config: the durable store, the F&O and Salesforce clients, the
 * job queue and the flows. `main.ts`, the sandbox and the end-to-end tests use it; unit tests
 * build parts themselves and pass them to `buildApp`.
 *
 * A part whose upstream is not configured still registers its routes (so the API and its
 * OpenAPI document are the same everywhere) and answers 503 `…_NOT_CONFIGURED`, and `/readyz`
 * says what is missing. Specifically for the sync flows (1–3):
 *  - no F&O connection → jobs retry (`D365_NOT_CONFIGURED`, transient), then dead-letter;
 *  - no Salesforce connection → the F&O side runs, the write-back fails transiently
 *    (`SALESFORCE_NOT_CONFIGURED`), and the sweep is not scheduled;
 *  - no mapping file (`BRIDGE_CONFIG` unset) → the sync routes still accept records (nothing
 *    Salesforce sends is lost), the jobs dead-letter at once with `BRIDGE_CONFIG_MISSING`, and
 *    `/readyz` reports `mapping` not ready. After setting it and restarting, replay those dead
 *    letters. An *invalid* mapping file stops the proxy at start (docs/mapping.md).
 *
 * Close order (parts close in reverse): scheduler → queue (running jobs finish or are
 * released) → write-back flush → inventory → Salesforce → F&O → store.
 */
import type { Logger } from 'pino';
import type { AppPart } from './app.js';
import type { Config } from './config.js';
import {
  createD365Client,
  d365OptionsFromConfig,
  type D365Client,
  type D365ClientOptions,
} from './d365/index.js';
import { createCalloutRecorder } from './flows/doctor/index.js';
import { createD365InventorySource } from './flows/inventory/d365-inventory-source.js';
import { D365NotConfiguredError } from './flows/inventory/errors.js';
import { createInventoryService, type InventorySource } from './flows/inventory/inventory-service.js';
import { registerFnoFlows, type FnoFlows } from './flows/fno-flows.js';
import { createEventIntake, INVOICE_FLOW } from './flows/invoices/intake.js';
import { INVOICE_GROUP_MAX, invoiceGroupHandler } from './flows/invoices/invoice-group.js';
import { registerReconcile, type Reconciler } from './flows/reconcile/index.js';
import { registerSyncFlows, SWEEP_FLOW } from './flows/sync-flows.js';
import doctorRoutes from './http/routes/doctor.js';
import eventRoutes from './http/routes/events.js';
import fnoFlowRoutes from './http/routes/fno-flows.js';
import inventoryRoutes from './http/routes/inventory.js';
import reconcileRoutes from './http/routes/reconcile.js';
import { jobsPart } from './http/routes/jobs.js';
import syncRoutes from './http/routes/sync.js';
import { createScheduler, openJobs, type JobQueue, type Scheduler, type Store } from './jobs/index.js';
import { redactUrl } from './jobs/store.js';
import { tokenIdLedgerOf } from './jobs/store/token-ids/token-id-ledger.js';
import { loadBridgeConfig, type BridgeConfig } from './mapping/index.js';
import type { Registry } from './metrics.js';
import {
  createSalesforceClient,
  type SalesforceClient,
  type SalesforceClientOptions,
} from './salesforce/index.js';
import { BRIDGE_FIX, storeFix } from './startup/fixes.js';
import { startupStep } from './startup/startup-error.js';

export interface RuntimeContext {
  logger: Logger;
  registry: Registry;
  /** Tests and the sandbox: adjust the F&O client (e.g. point the token endpoint at an emulator). */
  d365Overrides?: Partial<D365ClientOptions>;
  /** Tests and the sandbox: adjust the Salesforce client. */
  salesforceOverrides?: Partial<SalesforceClientOptions>;
  /** Start the queue's workers and the scheduler (default true). */
  startWorkers?: boolean;
  /** The CLI: a reconciliation's F&O → Salesforce repairs run in this process, not queued. */
  runFlowsNow?: boolean;
}

export interface Runtime {
  parts: AppPart[];
  d365: D365Client | undefined;
  salesforce: SalesforceClient | undefined;
  bridge: BridgeConfig | undefined;
  store: Store;
  queue: JobQueue;
  scheduler: Scheduler | undefined;
  /** The F&O → Salesforce flows: run one now (CLI), or queue it. */
  fno: FnoFlows;
  /** Reconciliation: run one now (CLI), queue it, read the kept reports. */
  reconciler: Reconciler;
}

export const SWEEP_SCHEDULE = 'sync-sweep';

export async function createRuntime(config: Config, ctx: RuntimeContext): Promise<Runtime> {
  const parts: AppPart[] = [];

  // ── store and queue (STORE_URL, JOB_*) ─────────────────────────────────────────────────
  // A failure here is a StartupError naming the setting (main.ts prints it as one line, exit 78).
  const bridgePath = config.BRIDGE_CONFIG;
  const bridge = bridgePath // invalid → throws, before anything opens
    ? await startupStep('BRIDGE_CONFIG', `the mapping file ${bridgePath} is not usable`, BRIDGE_FIX, () =>
        loadBridgeConfig(bridgePath),
      )
    : undefined;
  const { store, queue } = await startupStep(
    'STORE_URL',
    `cannot open the store ${redactUrl(config.STORE_URL)}`,
    storeFix(config.STORE_URL),
    () =>
      openJobs(config, {
        logger: ctx.logger.child({ component: 'jobs' }),
        registry: ctx.registry,
        // One limit on F&O work: jobs run as F&O's current concurrency limit allows (JOB_CONCURRENCY
        // only bounds it). The F&O client is built below; workers start after it exists.
        capacity: (): number => (d365 ? d365.governor.jobCapacity() : Number.POSITIVE_INFINITY),
      }),
  );
  parts.push({ name: 'store', tokenIds: tokenIdLedgerOf(store), close: () => store.close() });

  // ── F&O ───────────────────────────────────────────────────────────────────────────────
  const d365Options = await startupStep(
    'D365_CLIENT_CERT_PATH',
    'cannot read the certificate key',
    'point it at the PEM file with the private key (or give the PEM inline)',
    () =>
      d365OptionsFromConfig(config, {
        registry: ctx.registry,
        logger: ctx.logger.child({ component: 'd365' }),
        // With several replicas the governor's 429 pause is shared through the store.
        sharedPause: store,
        ...ctx.d365Overrides,
      }),
  );
  const d365 = d365Options ? createD365Client(d365Options) : undefined;
  parts.push({
    name: 'd365',
    readiness: {
      d365: d365
        ? async () => d365.readiness()
        : async () => ({
            ok: false,
            detail:
              'F&O is not configured: set D365_URL, D365_TENANT_ID, D365_CLIENT_ID and D365_CLIENT_SECRET',
          }),
    },
    close: async () => d365?.close(),
  });

  // ── Salesforce ────────────────────────────────────────────────────────────────────────
  const salesforce =
    config.SF_CLIENT_ID && config.SF_USERNAME && config.SF_PRIVATE_KEY
      ? createSalesforceClient({
          loginUrl: config.SF_LOGIN_URL,
          clientId: config.SF_CLIENT_ID,
          username: config.SF_USERNAME,
          privateKey: config.SF_PRIVATE_KEY,
          apiVersion: config.SF_API_VERSION,
          namespace: config.SF_NAMESPACE,
          bulkThreshold: config.SF_BULK_THRESHOLD,
          apiFloorPct: config.SF_API_FLOOR_PCT,
          logger: ctx.logger.child({ component: 'salesforce' }),
          registry: ctx.registry,
          ...ctx.salesforceOverrides,
        })
      : undefined;
  parts.push({
    name: 'salesforce',
    readiness: {
      salesforce: salesforce
        ? async () => {
            const who = await salesforce.identity();
            return {
              ok: true,
              detail: { instanceUrl: who.instanceUrl, budget: salesforce.budget.snapshot() },
            };
          }
        : async () => ({
            ok: false,
            detail:
              'Salesforce is not configured: set SF_CLIENT_ID, SF_USERNAME and SF_PRIVATE_KEY (sync results cannot be written back)',
          }),
    },
  });

  // ── flow 5: live inventory ────────────────────────────────────────────────────────────
  const inventory = createInventoryService({
    source: d365 ? createD365InventorySource(d365.odata, d365.governor) : notConfiguredSource(),
    ttlMs: config.INVENTORY_TTL_S * 1000,
    refreshWaitMs: config.INVENTORY_REFRESH_WAIT_MS,
  });
  parts.push({ name: 'inventory', routes: async (app) => app.register(inventoryRoutes, { inventory }) });

  // ── flows 1–3: accounts, contacts, won opportunities ─────────────────────────────────
  // What every flow is built on: the queue and store, both connections, the mapping file.
  const base = { queue, store, d365, salesforce, bridge };
  const sync = registerSyncFlows({
    ...base,
    namespace: config.SF_NAMESPACE,
    maxAttempts: config.JOB_MAX_ATTEMPTS,
    flushMs: config.SYNC_WRITEBACK_FLUSH_MS,
    sweep: { ageMinutes: config.SYNC_SWEEP_AGE_MIN, limit: config.SYNC_SWEEP_LIMIT },
    registry: ctx.registry,
  });
  // ── F&O → Salesforce flows (FNO_TO_SALESFORCE): their schedules and admin routes ─────
  const fno = registerFnoFlows({ ...base, config });
  parts.push({ name: 'fno-flows', routes: async (app) => app.register(fnoFlowRoutes, { fno }) });

  // ── reconciliation: daily (RECONCILE_CRON) and on request ───────────────────────────
  const reconciler = registerReconcile({
    ...base,
    config,
    fno,
    registry: ctx.registry,
    ...(ctx.runFlowsNow ? { runFlowsNow: true } : {}),
  });
  parts.push({ name: 'reconcile', routes: async (app) => app.register(reconcileRoutes, { reconciler }) });

  const sweepOn = salesforce !== undefined && config.SYNC_SWEEP_CRON.trim().toLowerCase() !== 'off';
  const schedules = [
    ...(sweepOn ? [{ name: SWEEP_SCHEDULE, cron: config.SYNC_SWEEP_CRON, flow: SWEEP_FLOW }] : []),
    // Without both connections and the mapping file every scheduled run would only dead-letter
    // (payment status is hourly by default, the invoice sweep too: an inventory-only proxy).
    ...(d365 && salesforce && bridge ? [...fno.schedules, ...reconciler.schedules] : []),
  ];
  const scheduler =
    schedules.length > 0
      ? createScheduler({ queue, schedules, logger: ctx.logger.child({ component: 'scheduler' }) })
      : undefined;

  // Admin routes (/v1/jobs, /v1/dead-letters), `store` readiness; closing stops the scheduler and
  // the queue (not the store: the `store` part closes it last), then flushes the write-back.
  const jobs = jobsPart({ store, queue, scheduler, closeStore: false, graceMs: config.SHUTDOWN_GRACE_MS });
  parts.push({
    ...jobs,
    close: async () => {
      await jobs.close?.();
      await sync.close();
    },
  });
  parts.push({
    name: 'sync',
    routes: async (app) => app.register(syncRoutes, { queue }),
    readiness: {
      mapping: async () =>
        bridge
          ? { ok: true, detail: { companies: Object.keys(bridge.companies) } }
          : {
              ok: false,
              detail:
                'BRIDGE_CONFIG is not set: Accounts, Contacts and orders are accepted but dead-lettered (BRIDGE_CONFIG_MISSING) until a mapping file is configured',
            },
    },
  });

  // `GET /v1/doctor`, and the record of the last authenticated callout it reports.
  const callouts = createCalloutRecorder(store, {
    onError: (err) => ctx.logger.warn({ err }, 'could not record the last authenticated callout'),
  });
  parts.push({
    name: 'doctor',
    routes: async (app) => app.register(doctorRoutes, { deps: { config, store, d365, salesforce, bridge } }),
    onAuthenticated: (principal) => callouts.record(principal),
  });

  // ── flow 6: posted invoices (F&O → Salesforce), from business events ──────────────────
  const eventIntake = createEventIntake({
    queue,
    registry: ctx.registry,
    log: ctx.logger.child({ component: 'business-events' }),
  });
  // Invoice jobs run in groups (one F&O read and one Salesforce batch for many invoices).
  queue.registerGroupHandler(INVOICE_FLOW, invoiceGroupHandler({ d365, salesforce }), {
    maxJobs: INVOICE_GROUP_MAX,
    everyMs: config.INVOICE_BATCH_MS,
  });
  parts.push({ name: 'events', routes: async (app) => app.register(eventRoutes, { intake: eventIntake }) });

  if (ctx.startWorkers !== false) {
    queue.start();
    scheduler?.start();
  }
  return { parts, d365, salesforce, bridge, store, queue, scheduler, fno, reconciler };
}

/** Kept for callers that only need the parts. */
export async function createParts(config: Config, ctx: RuntimeContext): Promise<AppPart[]> {
  return (await createRuntime(config, ctx)).parts;
}

function notConfiguredSource(): InventorySource {
  const fail = async (): Promise<never> => {
    throw new D365NotConfiguredError();
  };
  return { fetchOnHand: fail, fetchKnownItems: fail, fetchCompanies: fail };
}
