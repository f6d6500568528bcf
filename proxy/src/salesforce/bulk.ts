import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { SalesforceApiError } from './errors.js';
import type { SalesforceHttp } from './http.js';
import type { LoggerLike, RecordResult, SfRecord } from './types.js';

export interface BulkOptions {
  /** Poll interval (ms), growing ×1.5 per poll up to `pollMaxMs`. */
  pollIntervalMs: number;
  /**
   * Expected processing speed: the first poll waits max(pollIntervalMs, rows / this), so a
   * typical job is checked once instead of many times (each poll is an API call).
   */
  expectedRowsPerSecond: number;
  pollMaxMs: number;
  /** Give up (abort the job) after this long. */
  timeoutMs: number;
  /** Raw CSV per job; Salesforce accepts 150 MB base64 ≈ 100 MB raw (Bulk API 2.0 limit). */
  maxUploadBytes: number;
  logger: LoggerLike;
}

interface JobInfo {
  id: string;
  state: 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  contentUrl?: string;
  numberRecordsProcessed?: number;
  numberRecordsFailed?: number;
  errorMessage?: string;
}

/** CSV cell for a value: null clears the field (`#N/A`), undefined leaves it alone (empty cell). */
function cell(v: unknown): string {
  if (v === undefined) return '';
  if (v === null) return '#N/A';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Columns in first-seen order; a nested `{ Account__r: { Ext__c: 'X' } }` becomes `Account__r.Ext__c`. */
function flatten(record: SfRecord): SfRecord {
  const out: SfRecord = {};
  for (const [k, v] of Object.entries(record)) {
    if (k === 'attributes') continue;
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) {
      for (const [k2, v2] of Object.entries(v as SfRecord)) if (k2 !== 'attributes') out[`${k}.${k2}`] = v2;
    } else out[k] = v;
  }
  return out;
}

/** `REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --` → detail. */
function parseSfError(text: string): { errorCode: string; message: string; fields: string[] } {
  const m = /^([A-Z_]+):(.*?)(?::([^:]*?))?\s*--\s*$/s.exec(text);
  if (!m) return { errorCode: 'UNKNOWN', message: text, fields: [] };
  return { errorCode: m[1]!, message: m[2]!, fields: m[3] ? m[3].split(',').filter(Boolean) : [] };
}

/**
 * Bulk API 2.0 upsert: create job → PUT CSV → UploadComplete → poll → successful/failed
 * results → per-record results mapped back to input order by External ID (result order is
 * not guaranteed). Result CSVs are only fetched when their count is non-zero.
 */
export async function bulkUpsert(
  http: SalesforceHttp,
  object: string,
  externalIdField: string,
  records: SfRecord[],
  options: BulkOptions,
): Promise<RecordResult[]> {
  const flat = records.map(flatten);
  const columns: string[] = [externalIdField];
  const seen = new Set(columns);
  for (const r of flat) {
    for (const k of Object.keys(r)) {
      if (seen.has(k)) continue;
      seen.add(k);
      columns.push(k);
    }
  }
  const header = stringify([columns]);
  const lines = flat.map((r) => stringify([columns.map((c) => cell(r[c]))]));

  const results: RecordResult[] = new Array(records.length);
  let start = 0;
  while (start < lines.length) {
    let end = start;
    let bytes = Buffer.byteLength(header);
    while (
      end < lines.length &&
      (end === start || bytes + Buffer.byteLength(lines[end]!) <= options.maxUploadBytes)
    ) {
      bytes += Buffer.byteLength(lines[end]!);
      end++;
    }
    const csv = header + lines.slice(start, end).join('');
    const part = await runJob(http, object, externalIdField, csv, records.slice(start, end), start, options);
    part.forEach((r) => (results[r.index] = r));
    start = end;
  }
  return results;
}

async function runJob(
  http: SalesforceHttp,
  object: string,
  externalIdField: string,
  csv: string,
  records: SfRecord[],
  offset: number,
  options: BulkOptions,
): Promise<RecordResult[]> {
  const { body: job } = await http.request<JobInfo>({
    method: 'POST',
    path: 'jobs/ingest',
    json: {
      object,
      externalIdFieldName: externalIdField,
      contentType: 'CSV',
      operation: 'upsert',
      lineEnding: 'LF',
    },
  });
  const jobPath = `jobs/ingest/${job.id}`;
  await http.request({ method: 'PUT', path: job.contentUrl ?? `${jobPath}/batches`, csv, text: true });
  await http.request({ method: 'PATCH', path: jobPath, json: { state: 'UploadComplete' } });
  options.logger.info({ jobId: job.id, object, records: records.length }, 'salesforce bulk job started');

  const started = Date.now();
  const info = await waitForJob(http, jobPath, job.id, records.length, options);

  // Map results back by External ID; a value occurring twice is assigned in input order.
  const slots = new Map<string, number[]>();
  records.forEach((r, i) => {
    const key = String(r[externalIdField] ?? '').toLowerCase();
    slots.set(key, [...(slots.get(key) ?? []), i]);
  });
  const take = (ext: string): number | undefined => slots.get(ext.toLowerCase())?.shift();
  const out: RecordResult[] = [];
  const failed = info.numberRecordsFailed ?? 0;
  const processed = info.numberRecordsProcessed ?? 0;

  if (processed - failed > 0) {
    const csvText = (
      await http.request<string>({ method: 'GET', path: `${jobPath}/successfulResults/`, text: true })
    ).body;
    for (const row of parse(csvText, { columns: true }) as Record<string, string>[]) {
      const i = take(row[externalIdField] ?? '');
      if (i === undefined) continue;
      out.push({
        index: offset + i,
        externalId: row[externalIdField],
        id: row.sf__Id || null,
        success: true,
        created: row.sf__Created === 'true',
        errors: [],
      });
    }
  }
  if (failed > 0) {
    const csvText = (
      await http.request<string>({ method: 'GET', path: `${jobPath}/failedResults/`, text: true })
    ).body;
    for (const row of parse(csvText, { columns: true }) as Record<string, string>[]) {
      const i = take(row[externalIdField] ?? '');
      if (i === undefined) continue;
      const detail = parseSfError(row.sf__Error ?? '');
      out.push({
        index: offset + i,
        externalId: row[externalIdField],
        id: row.sf__Id || null,
        success: false,
        errors: [detail],
        transient: detail.errorCode === 'UNABLE_TO_LOCK_ROW',
      });
    }
  }
  // Anything without a result was not processed: report it as a transient failure.
  for (const [ext, left] of slots) {
    for (const i of left) {
      out.push({
        index: offset + i,
        externalId: ext === '' ? undefined : String(records[i]![externalIdField]),
        id: null,
        success: false,
        errors: [{ errorCode: 'UNPROCESSED', message: `Not processed by bulk job ${job.id}`, fields: [] }],
        transient: true,
      });
    }
  }
  options.logger.info(
    { jobId: job.id, processed, failed, ms: Date.now() - started },
    'salesforce bulk job finished',
  );
  return out;
}

/**
 * Polls a Bulk API 2.0 job (ingest or query) until it is done: the first poll after the time
 * `rows` should take, then ×1.5 up to `pollMaxMs`; aborted after `timeoutMs`.
 */
async function waitForJob(
  http: SalesforceHttp,
  jobPath: string,
  jobId: string,
  rows: number,
  options: BulkOptions,
  onRequest: () => void = () => undefined,
): Promise<JobInfo> {
  const started = Date.now();
  let wait = Math.max(options.pollIntervalMs, Math.ceil((rows / options.expectedRowsPerSecond) * 1000));
  let info: JobInfo;
  for (;;) {
    await sleep(wait);
    onRequest();
    info = (await http.request<JobInfo>({ method: 'GET', path: jobPath })).body;
    if (info.state === 'JobComplete' || info.state === 'Failed' || info.state === 'Aborted') break;
    if (Date.now() - started > options.timeoutMs) {
      await http
        .request({ method: 'PATCH', path: jobPath, json: { state: 'Aborted' } })
        .catch(() => undefined);
      throw new SalesforceApiError({
        status: 0,
        errors: [
          {
            errorCode: 'TIMEOUT',
            message: `Bulk job ${jobId} still ${info.state} after ${options.timeoutMs} ms; aborted`,
            fields: [],
          },
        ],
        transient: true,
      });
    }
    wait = Math.min(options.pollMaxMs, Math.round(Math.max(wait, options.pollIntervalMs) * 1.5));
  }
  if (info.state !== 'JobComplete') {
    throw new SalesforceApiError({
      status: 0,
      errors: [
        {
          errorCode: 'BULK_JOB_FAILED',
          message: `Bulk job ${jobId} ${info.state}: ${info.errorMessage ?? 'no message'}`,
          fields: [],
        },
      ],
      transient: false,
    });
  }
  return info;
}

/** A CSV row of a query's results as a record: empty is null, `Account.Name` nests under `Account`. */
function unflatten(row: Record<string, string>): SfRecord {
  const out: SfRecord = {};
  for (const [column, text] of Object.entries(row)) {
    const value = text === '' ? null : text;
    const dot = column.indexOf('.');
    if (dot < 0) {
      out[column] = value;
      continue;
    }
    const parent = column.slice(0, dot);
    const nested = (out[parent] as SfRecord | null | undefined) ?? {};
    nested[column.slice(dot + 1)] = value;
    out[parent] = nested;
  }
  return out;
}

/**
 * Bulk API 2.0 query: create the job, wait for it (one poll per interval), then read the results
 * page by page (`Sforce-Locator`), each page's records at once. Every value arrives as text (CSV):
 * numbers and booleans as their text, empty as null. No sub-queries (Salesforce refuses them).
 */
export async function* bulkQuery(
  http: SalesforceHttp,
  soql: string,
  options: BulkOptions & { expectedRows: number; onRequest?: () => void },
): AsyncGenerator<SfRecord[], void, undefined> {
  const count = options.onRequest ?? (() => undefined);
  count();
  const { body: job } = await http.request<JobInfo>({
    method: 'POST',
    path: 'jobs/query',
    json: { operation: 'query', query: soql, contentType: 'CSV', lineEnding: 'LF', columnDelimiter: 'COMMA' },
  });
  const jobPath = `jobs/query/${job.id}`;
  await waitForJob(http, jobPath, job.id, options.expectedRows, options, count);
  let locator: string | undefined;
  for (;;) {
    count();
    const page = await http.request<string>({
      method: 'GET',
      path: `${jobPath}/results?maxRecords=50000${locator ? `&locator=${encodeURIComponent(locator)}` : ''}`,
      text: true,
    });
    const rows = page.body ? (parse(page.body, { columns: true }) as Record<string, string>[]) : [];
    yield rows.map(unflatten);
    if (!page.locator || page.locator === 'null') return;
    locator = page.locator;
  }
}
