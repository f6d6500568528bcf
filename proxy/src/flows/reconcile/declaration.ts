/**
 * How a flow declares its reconciliation, in its registry entry (`flows/sync/registry.ts`). The
 * reconciler (`run.ts`) reads both sides and compares them from these declarations alone: no
 * flow is named anywhere else. docs/reconciliation.md, docs/adding-a-flow.md.
 */
import type { Config } from '../../config.js';
import type { D365Client } from '../../d365/index.js';
import type { BridgeConfig, ReadOptions, Rejection } from '../../mapping/index.js';

/**
 * Salesforce → F&O (accounts, contacts, orders): the Salesforce records are read with the
 * flow's own SELECT (`select`, `sweepFilter`), routed and mapped with the flow's own `read` and
 * mapper; the F&O rows are matched to them by the correlation value the flow wrote at create time
 * (the Salesforce Id), the same proof of ownership the handlers use.
 */
export interface SalesforceToFnoReconcile<R> {
  /** For people: `Accounts ↔ customers (CustomersV3)`. */
  pair: string;
  /** The F&O entity the flow writes. */
  entity: string;
  /** Its key within a company (`CustomerAccount`): what the flow writes back to `keyField`. */
  fnoKey: string;
  /** Where the flow stores the Salesforce Id in F&O (the proof a row is that record's). */
  correlationField(cfg: BridgeConfig, company: string): string;
  /** The Salesforce Id prefix of the object (`001`): F&O rows linked to another object are not this pair's. */
  idPrefix: string;
  /**
   * The F&O fields the flow writes that Salesforce owns, as the flow's mapper computes them for
   * this record: what "mapped values" means (compared by hash, then field by field).
   */
  mapped(read: R, cfg: BridgeConfig, opts: ReadOptions): Record<string, unknown> | Rejection;
  /**
   * A record whose mapped fields differ is sent through the flow again (its handler PATCHes what
   * Salesforce owns, only when the F&O row is provably ours). False: F&O owns the record after
   * creation (a sales order), so a difference is reported, never "repaired".
   */
  repairsDifferences: boolean;
}

/** What an F&O → Salesforce pair reads F&O with. */
export interface ExpectedContext {
  d365: D365Client;
  cfg: BridgeConfig;
  config: Config;
  company: string;
  /** First day (YYYY-MM-DD) for pairs dated by F&O (RECONCILE_WINDOW_DAYS). */
  since: string;
  clock: () => number;
  signal?: AbortSignal;
  /** Counts the F&O requests made (one per page). */
  countRequest(): void;
  /**
   * What several pairs of one flow read alike (a company's catalogue for Product2 and for its
   * price book entries), read once per run: the first call's promise is shared by key.
   */
  once<T>(key: string, read: () => Promise<T>): Promise<T>;
}

/** One record Salesforce should hold, as the flow's mapper writes it. */
export interface ExpectedRecord {
  /** The External ID value. */
  key: string;
  /** The mapped values that are compared (Salesforce field → value). */
  values: Record<string, unknown>;
  /** For the repair: the F&O date of the record (YYYY-MM-DD), for flows that sweep by day. */
  day?: string;
}

/**
 * F&O → Salesforce (products and prices, invoices): the F&O side is what the flow would write
 * (read from F&O with `$select` and mapped by the flow's own functions); the Salesforce side is
 * read by External ID. Repair runs the flow for the company, which upserts by External ID.
 */
export interface FnoToSalesforcePair {
  /** For people: `Invoice__c ↔ posted invoices (SalesInvoiceHeadersV2)`. */
  pair: string;
  /** The records Salesforce should hold for one company. */
  expected(ctx: ExpectedContext): Promise<ExpectedRecord[]>;
  salesforce: {
    sobject: string;
    /** The External ID field (package name). */
    externalId: string;
    /** The other fields read: those `companyOf` looks at. */
    fields?: readonly string[];
    /**
     * SOQL condition of the window (`Invoice_Date__c >= 2026-09-07`); every company is read at
     * once, so a record in the wrong company is seen. Empty: every record.
     */
    where(since: string): string;
  };
  /** The company a Salesforce record says it belongs to, lower case; undefined when it says none. */
  companyOf(record: Record<string, unknown>): string | undefined;
}

/** An F&O → Salesforce flow's declaration: its pairs, or none with the reason. */
export interface FnoToSalesforceReconcile {
  pairs: readonly FnoToSalesforcePair[];
  /** Why a flow declares no pair (shown in the report). */
  note?: string;
}
