import { stringify } from 'csv-stringify/sync';
import soqlParser from 'soql-parser-js';
import { SfError } from '../errors.js';
import type { RecordStore, SfRecord } from '../data/store.js';
import { formatDateTime } from '../data/values.js';
import type { IdFactory } from '../ids.js';
import { type ColumnMetadata, queryColumns } from '../soql/columns.js';
import { runQuery } from '../soql/evaluate.js';
import { DELIMITERS } from './jobs.js';

/**
 * Bulk API 2.0 query jobs (`/jobs/query`): created UploadComplete, InProgress after the queue
 * delay, then JobComplete. The SOQL runs through the same evaluator as `/query` when the job is
 * created, so the results are a snapshot. Results are CSV with every value quoted, parent paths
 * as `Owner.Name` columns, paged by `maxRecords` with the `Sforce-Locator` header (`null` on the
 * last page). Child subqueries and COUNT() are refused, as the real API refuses them.
 */

export type QueryJobState = 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

export interface QueryJob {
  id: string;
  operation: 'query' | 'queryAll';
  object: string;
  state: QueryJobState;
  lineEnding: 'LF' | 'CRLF';
  columnDelimiter: string;
  createdDate: string;
  systemModstamp: string;
  header: string[];
  rows: string[][];
  timer?: NodeJS.Timeout;
}

interface QueryJobsConfig {
  apiVersion: string;
  queueDelayMs: number;
  userId: () => string;
}

const DEFAULT_PAGE = 50_000;

export class BulkQueryJobs {
  private readonly jobs = new Map<string, QueryJob>();

  constructor(
    private readonly store: RecordStore,
    private readonly ids: IdFactory,
    readonly config: QueryJobsConfig,
  ) {}

  clear(): void {
    for (const job of this.jobs.values()) clearTimeout(job.timer);
    this.jobs.clear();
  }

  list(): QueryJob[] {
    return [...this.jobs.values()];
  }

  create(body: Record<string, unknown>): QueryJob {
    const operation = body.operation;
    if (operation !== 'query' && operation !== 'queryAll') {
      throw new SfError(400, 'INVALIDJOB', `InvalidJob : Invalid operation: ${String(operation)}`);
    }
    if (typeof body.query !== 'string' || !body.query.trim()) {
      throw new SfError(400, 'INVALIDJOB', 'InvalidJob : A query must be specified');
    }
    const delimiter = String(body.columnDelimiter ?? 'COMMA');
    if (!DELIMITERS[delimiter]) {
      throw new SfError(400, 'INVALIDJOB', `InvalidJob : Invalid column delimiter: ${delimiter}`);
    }
    const soql = body.query;
    const result = runQuery(this.store, soql, this.config.apiVersion);
    const parsed = soqlParser.parseQuery(soql);
    const refused = (parsed.fields ?? []).find(
      (f) => f.type === 'FieldSubquery' || f.type === 'FieldFunctionExpression',
    );
    if (refused) {
      throw new SfError(
        400,
        'API_ERROR',
        `FeatureNotEnabled : ${refused.type === 'FieldSubquery' ? 'Nested queries' : 'Aggregate queries'} are not supported by the Bulk API 2.0`,
      );
    }
    const paths = queryColumns(soql).columnMetadata.flatMap((c) => columnPaths(c));
    const now = formatDateTime(Date.now());
    const job: QueryJob = {
      id: this.ids.next('750'),
      operation,
      object: parsed.sObject ?? '',
      state: 'UploadComplete',
      lineEnding: body.lineEnding === 'CRLF' ? 'CRLF' : 'LF',
      columnDelimiter: delimiter,
      createdDate: now,
      systemModstamp: now,
      header: paths.map((p) => p.join('.')),
      rows: result.records.map((r) => paths.map((p) => csvValue(valueAt(r, p)))),
    };
    this.jobs.set(job.id, job);
    job.timer = setTimeout(() => {
      job.state = 'InProgress';
      job.systemModstamp = formatDateTime(Date.now());
      job.timer = setTimeout(() => this.complete(job), this.config.queueDelayMs);
      job.timer.unref();
    }, this.config.queueDelayMs);
    job.timer.unref();
    return job;
  }

  private complete(job: QueryJob): void {
    if (job.state !== 'InProgress') return;
    job.state = 'JobComplete';
    job.systemModstamp = formatDateTime(Date.now());
  }

  get(id: string): QueryJob {
    const job = this.jobs.get(id);
    if (!job) throw new SfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    return job;
  }

  abort(id: string, state: unknown): QueryJob {
    const job = this.get(id);
    if (state !== 'Aborted')
      throw new SfError(400, 'INVALIDJOBSTATE', `Invalid state transition to ${String(state)}.`);
    if (['JobComplete', 'Failed', 'Aborted'].includes(job.state))
      throw new SfError(409, 'INVALIDJOBSTATE', `Job is already ${job.state}.`);
    clearTimeout(job.timer);
    job.state = 'Aborted';
    job.systemModstamp = formatDateTime(Date.now());
    return job;
  }

  delete(id: string): void {
    const job = this.get(id);
    clearTimeout(job.timer);
    this.jobs.delete(id);
  }

  info(job: QueryJob, full: boolean): Record<string, unknown> {
    const base = {
      id: job.id,
      operation: job.operation,
      object: job.object,
      createdById: this.config.userId(),
      createdDate: job.createdDate,
      systemModstamp: job.systemModstamp,
      state: job.state,
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: Number(this.config.apiVersion),
      lineEnding: job.lineEnding,
      columnDelimiter: job.columnDelimiter,
    };
    if (!full) return base;
    const done = job.state === 'JobComplete';
    return {
      ...base,
      jobType: 'V2Query',
      numberRecordsProcessed: done ? job.rows.length : 0,
      retries: 0,
      totalProcessingTime: 0,
      isPkChunkingSupported: true,
    };
  }

  /** One page of results; `locator` is the offset (opaque to clients), `null` after the last. */
  results(
    job: QueryJob,
    locator: string | undefined,
    maxRecords: string | undefined,
  ): { csv: string; count: number; next: string } {
    if (job.state !== 'JobComplete') {
      throw new SfError(
        409,
        'INVALIDJOBSTATE',
        `Results are available once the job is complete; it is ${job.state}.`,
      );
    }
    const offset = locator ? Number.parseInt(Buffer.from(locator, 'base64url').toString(), 10) : 0;
    if (!Number.isInteger(offset) || offset < 0 || offset > job.rows.length) {
      throw new SfError(400, 'INVALID_LOCATOR', `Invalid locator: ${String(locator)}`);
    }
    const size = maxRecords ? Number(maxRecords) : DEFAULT_PAGE;
    if (!Number.isInteger(size) || size < 1) {
      throw new SfError(400, 'INVALIDMAXRECORDS', `Invalid maxRecords: ${String(maxRecords)}`);
    }
    const rows = job.rows.slice(offset, offset + size);
    const end = offset + rows.length;
    const csv = stringify([job.header, ...rows], {
      quoted: true,
      delimiter: DELIMITERS[job.columnDelimiter],
      record_delimiter: job.lineEnding === 'CRLF' ? '\r\n' : '\n',
    });
    const next = end < job.rows.length ? Buffer.from(String(end)).toString('base64url') : 'null';
    return { csv, count: rows.length, next };
  }
}

/** `Owner.Name` style paths of one column (parent relationships flattened). */
function columnPaths(c: ColumnMetadata): string[][] {
  if (!c.joinColumns.length) return [[c.columnName]];
  return c.joinColumns.flatMap((j) => columnPaths(j).map((p) => [c.columnName, ...p]));
}

function valueAt(record: SfRecord, path: string[]): unknown {
  let current: unknown = record;
  for (const name of path) {
    if (!current || typeof current !== 'object') return null;
    const obj = current as Record<string, unknown>;
    const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
    current = key === undefined ? null : obj[key];
  }
  return current;
}

function csvValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value as string | number | boolean);
}
