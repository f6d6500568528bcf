import type { Registry } from 'prom-client';
import { createUpstreamMetrics } from '../upstream-metrics.js';
import { JwtBearerAuth } from './auth.js';
import { ApiBudget } from './budget.js';
import { bulkQuery, bulkUpsert } from './bulk.js';
import { collectionsUpdate, collectionsUpsert } from './collections.js';
import { SalesforceApiError } from './errors.js';
import { SalesforceHttp } from './http.js';
import { createNamespacer } from './names.js';
import { queryRecords } from './query.js';
import {
  type LoggerLike,
  type RecordResult,
  type SfRecord,
  silentLogger,
  type UpsertManyResult,
} from './types.js';

export interface SalesforceClientOptions {
  /** Token endpoint host: `https://login.salesforce.com`, `https://test.salesforce.com` or My Domain. */
  loginUrl: string;
  /** JWT `aud` when it differs from loginUrl (My Domain login with a production audience). */
  audience?: string;
  /** Consumer key of the connected app / External Client App. */
  clientId: string;
  /** The integration user (pre-authorised for the app). */
  username: string;
  /** Private key matching the app's certificate: PEM text or a file path. */
  privateKey: string;
  apiVersion?: string;
  /** Package namespace in a subscriber org ('' for unmanaged / scratch orgs). */
  namespace?: string;
  /** Record sets larger than this go through Bulk API 2.0 (`SF_BULK_THRESHOLD`, default 2000). */
  bulkThreshold?: number;
  /** Background work pauses under this % of remaining daily API requests (`SF_API_FLOOR_PCT`, default 10). */
  apiFloorPct?: number;
  logger?: LoggerLike;
  registry?: Registry;
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number;
  /** Bulk polling: first poll after (default 2000 ms), growing ×1.5 up to 10 s; give up after 30 min. */
  bulkPollIntervalMs?: number;
  bulkPollMaxMs?: number;
  /** Rows/s Bulk API is expected to process; sets the first poll's delay (default 5000). */
  bulkExpectedRowsPerSecond?: number;
  bulkTimeoutMs?: number;
  /** How often a paused `waitForBackground` re-reads `/limits` (default 60 s). */
  budgetRecheckMs?: number;
  /** Back-off after REQUEST_LIMIT_EXCEEDED: daily limit (default 15 min), concurrent cap (default 5 s). */
  dailyLimitBackoffMs?: number;
  concurrentLimitBackoffMs?: number;
}

export interface UpsertResult {
  id: string;
  created: boolean;
}

export interface UpsertManyOptions {
  allOrNone?: boolean;
  /** `auto` (default): Bulk API 2.0 above `bulkThreshold`, collections otherwise. */
  mode?: 'auto' | 'collections' | 'bulk';
}

export interface SalesforceClient {
  readonly namespace: string;
  readonly budget: ApiBudget;
  /** Package API name → org API name (namespace applied to custom names only). */
  sfName(name: string): string;
  /** Logs in if needed and returns who we are (for `doctor`). */
  identity(): Promise<{ instanceUrl: string; orgId: string; userId: string }>;
  create(object: string, record: SfRecord): Promise<{ id: string }>;
  /** undefined when the record does not exist. */
  get<T = SfRecord>(object: string, id: string, fields?: string[]): Promise<T | undefined>;
  update(object: string, id: string, record: SfRecord): Promise<void>;
  delete(object: string, id: string): Promise<void>;
  /** Upsert one record by External ID (201 created / 200 updated; 300 → SalesforceApiError MULTIPLE_CHOICES). */
  upsert(
    object: string,
    externalIdField: string,
    externalId: string,
    record: SfRecord,
    options?: { updateOnly?: boolean },
  ): Promise<UpsertResult>;
  /** Upsert many records by External ID; per-record results in input order. */
  upsertMany(
    object: string,
    externalIdField: string,
    records: SfRecord[],
    options?: UpsertManyOptions,
  ): Promise<UpsertManyResult>;
  /** Update many records by Id (sObject Collections, 200 per call); per-record results in input order. */
  updateMany(object: string, records: SfRecord[], options?: { allOrNone?: boolean }): Promise<RecordResult[]>;
  query<T = SfRecord>(
    soql: string,
    options?: { batchSize?: number; includeDeleted?: boolean },
  ): AsyncGenerator<T, void, undefined>;
  queryAll<T = SfRecord>(soql: string, options?: { batchSize?: number }): Promise<T[]>;
  /** `SELECT COUNT() FROM …`: the number of records a query would return (one API call). */
  count(soqlCount: string): Promise<number>;
  /**
   * Bulk API 2.0 query, page by page (no sub-queries; every value as text, empty as null), for
   * reading many records in few API calls. `onRequest` is called once per API call made.
   */
  bulkQuery<T = SfRecord>(
    soql: string,
    options?: { expectedRows?: number; onRequest?: () => void },
  ): AsyncGenerator<T[], void, undefined>;
  describe(object: string): Promise<SfRecord>;
  limits(): Promise<Record<string, { Max: number; Remaining: number }>>;
  publishEvent(event: string, payload: SfRecord): Promise<{ id: string }>;
}

/** Builds the proxy's Salesforce REST client (JWT bearer, collections, Bulk API 2.0, SOQL, limits). */
export function createSalesforceClient(options: SalesforceClientOptions): SalesforceClient {
  const logger = options.logger ?? silentLogger;
  const apiVersion = options.apiVersion ?? '62.0';
  const timeoutMs = options.timeoutMs ?? 60_000;
  const bulkThreshold = options.bulkThreshold ?? 2000;
  const names = createNamespacer(options.namespace ?? '');
  const auth = new JwtBearerAuth({
    loginUrl: options.loginUrl,
    ...(options.audience ? { audience: options.audience } : {}),
    clientId: options.clientId,
    username: options.username,
    privateKey: options.privateKey,
    logger,
    timeoutMs,
  });
  const budget = new ApiBudget({
    floorPct: options.apiFloorPct ?? 10,
    recheckMs: options.budgetRecheckMs ?? 60_000,
    dailyLimitBackoffMs: options.dailyLimitBackoffMs ?? 15 * 60_000,
    concurrentLimitBackoffMs: options.concurrentLimitBackoffMs ?? 5_000,
    logger,
    ...(options.registry ? { registry: options.registry } : {}),
  });
  const http = new SalesforceHttp(auth, budget, {
    apiVersion,
    timeoutMs,
    logger,
    metrics: createUpstreamMetrics(options.registry, 'salesforce'),
  });
  const bulkOptions = {
    pollIntervalMs: options.bulkPollIntervalMs ?? 2_000,
    pollMaxMs: options.bulkPollMaxMs ?? 10_000,
    expectedRowsPerSecond: options.bulkExpectedRowsPerSecond ?? 5_000,
    timeoutMs: options.bulkTimeoutMs ?? 30 * 60_000,
    maxUploadBytes: 100 * 1024 * 1024,
    logger,
  };
  const enc = encodeURIComponent;
  const obj = (o: string) => enc(names.sfName(o));
  const localizeErrors = (results: RecordResult[]) =>
    results.map((r) => ({
      ...r,
      errors: r.errors.map((e) => ({ ...e, fields: e.fields.map(names.localName) })),
    }));

  const limits = async () =>
    (
      await http.request<Record<string, { Max: number; Remaining: number }>>({
        method: 'GET',
        path: 'limits',
      })
    ).body;
  budget.setRefresher(limits);

  const client: SalesforceClient = {
    namespace: names.namespace,
    budget,
    sfName: names.sfName,

    async identity() {
      const s = await auth.session();
      const [orgId = '', userId = ''] = s.id.split('/').slice(-2);
      return { instanceUrl: s.instanceUrl, orgId, userId };
    },

    async create(object, record) {
      const res = await http.request<{ id: string }>({
        method: 'POST',
        path: `sobjects/${obj(object)}`,
        json: names.toSf(record),
      });
      return { id: res.body.id };
    },

    async get<T>(object: string, id: string, fields?: string[]) {
      const qs = fields?.length ? `?fields=${fields.map((f) => enc(names.sfName(f))).join(',')}` : '';
      try {
        const res = await http.request<SfRecord>({
          method: 'GET',
          path: `sobjects/${obj(object)}/${enc(id)}${qs}`,
        });
        return names.fromSf<T>(res.body);
      } catch (err) {
        if (err instanceof SalesforceApiError && err.status === 404) return undefined;
        throw err;
      }
    },

    async update(object, id, record) {
      await http.request({
        method: 'PATCH',
        path: `sobjects/${obj(object)}/${enc(id)}`,
        json: names.toSf(record),
      });
    },

    async delete(object, id) {
      await http.request({ method: 'DELETE', path: `sobjects/${obj(object)}/${enc(id)}` });
    },

    async upsert(object, externalIdField, externalId, record, opts = {}) {
      const { [externalIdField]: _omit, ...rest } = record;
      const path = `sobjects/${obj(object)}/${enc(names.sfName(externalIdField))}/${enc(externalId)}${opts.updateOnly ? '?updateOnly=true' : ''}`;
      const res = await http.request<{ id?: string; created?: boolean } | string>({
        method: 'PATCH',
        path,
        json: names.toSf(rest),
      });
      // 200/201 carry { id, created }; very old API versions answered 204 without a body.
      const body = typeof res.body === 'object' && res.body ? res.body : {};
      return { id: body.id ?? '', created: body.created ?? res.status === 201 };
    },

    async upsertMany(object, externalIdField, records, opts = {}) {
      const mode =
        opts.mode === 'bulk' || (opts.mode !== 'collections' && records.length > bulkThreshold)
          ? 'bulk'
          : 'collections';
      const sfObject = names.sfName(object);
      const sfField = names.sfName(externalIdField);
      const sfRecords = records.map((r) => names.toSf(r));
      const raw =
        mode === 'bulk'
          ? await bulkUpsert(http, sfObject, sfField, sfRecords, bulkOptions)
          : await collectionsUpsert(http, sfObject, sfField, sfRecords, {
              allOrNone: opts.allOrNone ?? false,
            });
      const results = localizeErrors(raw);
      const successCount = results.filter((r) => r.success).length;
      return { mode, results, successCount, failureCount: results.length - successCount };
    },

    async updateMany(object, records, opts = {}) {
      const raw = await collectionsUpdate(
        http,
        names.sfName(object),
        records.map((r) => names.toSf(r)),
        { allOrNone: opts.allOrNone ?? false },
      );
      return localizeErrors(raw);
    },

    query: (soql, opts) => queryRecords(http, names, soql, opts),

    async queryAll<T>(soql: string, opts?: { batchSize?: number }) {
      const out: T[] = [];
      for await (const r of queryRecords<T>(http, names, soql, opts)) out.push(r);
      return out;
    },

    async count(soqlCount: string) {
      const { body } = await http.request<{ totalSize: number }>({
        method: 'GET',
        path: `query?q=${encodeURIComponent(names.soql(soqlCount))}`,
      });
      return body.totalSize;
    },

    async *bulkQuery<T>(soql: string, opts: { expectedRows?: number; onRequest?: () => void } = {}) {
      for await (const page of bulkQuery(http, names.soql(soql), {
        ...bulkOptions,
        expectedRows: opts.expectedRows ?? 0,
        ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
      }))
        yield page.map((r) => names.fromSf<T>(r));
    },

    // Field names inside describe are org names: compare them with sfName('…').
    async describe(object) {
      return (await http.request<SfRecord>({ method: 'GET', path: `sobjects/${obj(object)}/describe` })).body;
    },

    limits,

    async publishEvent(event, payload) {
      const res = await http.request<{ id: string }>({
        method: 'POST',
        path: `sobjects/${obj(event)}`,
        json: names.toSf(payload),
      });
      return { id: res.body.id };
    },
  };
  return client;
}
