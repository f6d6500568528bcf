/**
 * How a sync flow declares itself: one entry per flow in `registry.ts`, from which the routes,
 * the worker's dispatch, the pending sweep's SOQL and the OpenAPI schemas are derived, and
 * against which a test checks the package's Apex (`D365SyncSelector`, `D365SyncFields`).
 *
 * Two directions:
 *  - Salesforce → F&O (`SalesforceToFnoFlow`): the package sends a record, the proxy stores it
 *    as a job, reads it once (parse, validate, route to its company), does the F&O work and
 *    writes the F&O key back (`job-frame.ts`);
 *  - F&O → Salesforce (`FnoToSalesforceFlow`): the proxy reads an F&O entity on a schedule and
 *    upserts Salesforce records by an External ID (products and prices, invoices, payment
 *    status), on a schedule or when asked (`FNO_TO_SALESFORCE` in `registry.ts`).
 */
import type { z } from 'zod';
import type { Config } from '../../config.js';
import type { D365Client } from '../../d365/index.js';
import type { JobContext, Store } from '../../jobs/index.js';
import type { BridgeConfig, ReadOptions, Rejection } from '../../mapping/index.js';
import type { SalesforceClient } from '../../salesforce/index.js';
import type { OwnershipMetrics } from '../numbering/ownership.js';
import type { FnoToSalesforceReconcile, SalesforceToFnoReconcile } from '../reconcile/declaration.js';
import type { SyncObject, SyncWriteBack } from '../write-back/write-back.js';

export interface SyncJobDeps {
  writeBack: SyncWriteBack;
  /** JOB_MAX_ATTEMPTS: the attempt after which a transient failure becomes a dead letter. */
  maxAttempts: number;
  clock?: () => number;
}

/** Context the work fills in as it learns it (company, F&O key…), for dead letters and logs. */
export type Trace = Record<string, unknown>;

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

/** What a flow's handler works with for one job run. */
export interface SyncRun {
  /** The record's Salesforce Id (the job key). */
  salesforceId: string;
  d365: D365Client;
  cfg: BridgeConfig;
  deps: SyncFlowDeps;
  ctx: JobContext;
  trace: Trace;
}

/** A child relationship the package selects as a sub-query (`OpportunityLineItems`). */
export interface ChildQuery {
  relationship: string;
  fields: readonly string[];
  /** The sub-query's `ORDER BY`: the order the mapping sees the children in. */
  orderBy: readonly string[];
}

/**
 * What Apex selects for a record, in the package's own names (the client adds the namespace):
 * `Id`, the synced fields, the other fields, then the sub-queries.
 */
export interface SalesforceSelect {
  /** Business fields whose change sends the record again (`D365SyncFields.SYNCED_FIELDS`). */
  syncedFields: readonly string[];
  /** Selected too, never a reason to sync: keys, status, version, the parent's keys. */
  fields: readonly string[];
  children: readonly ChildQuery[];
}

/** Every plain field `select` names, `Id` first. */
export function selectedFields(select: SalesforceSelect): string[] {
  return ['Id', ...select.syncedFields, ...select.fields];
}

/**
 * Which legal entity a record goes to: its own routing field (an Account), or its parent
 * Account's (a Contact, an Opportunity), so a customer's contacts and orders land in its company.
 */
export type LegalEntityRule = 'own' | 'parentAccount';

/** A record read once per job: at least its company; the flow's mapper takes the rest from it. */
export interface ReadRecord {
  ok: true;
  /** dataAreaId, lower case. */
  company: string;
}

export interface SalesforceToFnoFlow<R extends ReadRecord = ReadRecord> {
  /** The job flow (`account`): the key of the job queue's handler and of every job row. */
  flow: string;
  sobject: SyncObject;
  /** `POST` route the package sends the records to (`D365SyncFields.SYNC_PATH`). */
  path: string;
  /** One line for the OpenAPI document. */
  summary: string;
  /** For people: `customer`, `contact person`, `sales order`. */
  what: string;
  /** Package field the F&O key is written back to (`D365_Customer_Number__c`). */
  keyField: string;
  /** What `D365SyncSelector` selects; the sweep selects the same. */
  select: SalesforceSelect;
  /** Extra condition of the pending sweep (`IsWon = true`), beyond status and age. */
  sweepFilter?: string;
  legalEntity: LegalEntityRule;
  /** The record as the OpenAPI document shows it (`intake/record-schemas.ts`). */
  record: z.ZodType;
  /** Parse, validate and route the job's payload: once per job. */
  read(payload: unknown, cfg: BridgeConfig, opts: ReadOptions): R | Rejection;
  /** The F&O work; resolves to the F&O key written back to `keyField`. */
  sync(record: R, run: SyncRun): Promise<string>;
  /** How reconciliation compares this flow's records with F&O (docs/reconciliation.md). */
  reconcile: SalesforceToFnoReconcile<R>;
}

/** Keeps a flow's `read` and `sync` paired on one record type, then lists it with the others. */
export function salesforceToFno<R extends ReadRecord>(flow: SalesforceToFnoFlow<R>): SalesforceToFnoFlow {
  return flow as unknown as SalesforceToFnoFlow;
}

/** What one run of an F&O → Salesforce flow is asked to do (schedule, admin route, CLI). */
export interface FnoRunOptions {
  /** Only these companies (dataAreaId, lower case); all mapped companies when absent. */
  companies?: readonly string[];
  /** Write everything, not only what changed since the last run. */
  full: boolean;
  /** Compute and report what would change; write nothing, remember nothing. */
  dryRun: boolean;
  /** First day included (`YYYY-MM-DD`), for flows that sweep by day (invoices); others ignore it. */
  since?: string;
}

/** What a run works with: both clients, the mapping, the store and the proxy's settings. */
export interface FnoRunDeps {
  d365: D365Client;
  salesforce: SalesforceClient;
  cfg: BridgeConfig;
  store: Store;
  config: Config;
  clock: () => number;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  signal?: AbortSignal;
}

/** What a run reports: counts for people and metrics, and (dry run) what would change. */
export interface FnoRunResult {
  flow: string;
  dryRun: boolean;
  /** F&O rows read, Salesforce records written (or that would be), by kind. */
  counts: Record<string, number>;
  /** Dry run: the first changes that would be written, for people. */
  changes?: readonly Record<string, unknown>[];
}

/**
 * An F&O → Salesforce flow (products and prices, invoices, payment status): reads F&O and upserts
 * Salesforce records by an External ID. The scheduler, the admin route
 * (`POST /v1/flows/<flow>/run`) and the CLI are derived from these entries; a flow adds an entry
 * to `FNO_TO_SALESFORCE` and nothing else.
 */
export interface FnoToSalesforceFlow {
  /** The job flow of its runs (`products`), and the path segment of its admin route. */
  flow: string;
  /** One line for the OpenAPI document and the CLI. */
  summary: string;
  /** F&O data entities read (`ReleasedProductsV2`, …). */
  entities: readonly string[];
  /** Target SObjects, in write order (`Product2`, `PricebookEntry`). */
  sobjects: readonly string[];
  /** The setting with the cron expression (UTC) of its scheduled run; `off` disables it. */
  scheduleSetting: keyof Config;
  /** One run: read F&O, write what changed to Salesforce. */
  run(opts: FnoRunOptions, deps: FnoRunDeps): Promise<FnoRunResult>;
  /**
   * How reconciliation compares what Salesforce holds with F&O (docs/reconciliation.md). The
   * registry adds it to every entry of `FNO_TO_SALESFORCE` (a test checks each has one).
   */
  reconcile?: FnoToSalesforceReconcile;
}

/** The SELECT list of `select` (fields, then each sub-query), as SOQL. */
export function soqlSelectList(select: SalesforceSelect): string {
  const children = select.children.map(
    (c) => `(SELECT ${c.fields.join(', ')} FROM ${c.relationship} ORDER BY ${c.orderBy.join(', ')})`,
  );
  return [...selectedFields(select), ...children].join(', ');
}
