import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { SfError } from '../errors.js';
import type { RecordStore, SfRecord } from '../data/store.js';
import { fromCsvCell } from '../data/values.js';
import type { IdFactory } from '../ids.js';
import type { FieldDef, ObjectDef } from '../metadata/types.js';
import { formatDateTime } from '../data/values.js';

/**
 * Bulk API 2.0 ingest jobs (Bulk API 2.0 Developer Guide): Open → UploadComplete → InProgress →
 * JobComplete | Failed, or Aborted. Rows are processed asynchronously on timers at
 * `rowsPerSecond`, each through the same validation as REST writes.
 */

export type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
export type JobOperation = 'insert' | 'update' | 'upsert' | 'delete';

export const DELIMITERS: Record<string, string> = {
  COMMA: ',',
  TAB: '\t',
  PIPE: '|',
  SEMICOLON: ';',
  CARET: '^',
  BACKQUOTE: '`',
};

export interface BulkJob {
  id: string;
  object: ObjectDef;
  operation: JobOperation;
  externalIdFieldName?: string;
  state: JobState;
  lineEnding: 'LF' | 'CRLF';
  columnDelimiter: string;
  createdDate: string;
  systemModstamp: string;
  uploads: string[];
  header: string[];
  rows: string[][];
  next: number;
  processed: number;
  failedCount: number;
  successful: string[][];
  failed: string[][];
  errorMessage?: string;
  startedAt?: number;
  finishedAt?: number;
  timer?: NodeJS.Timeout;
}

interface JobsConfig {
  apiVersion: string;
  rowsPerSecond: number;
  queueDelayMs: number;
  userId: () => string;
}

const TICK_MS = 20;

export class BulkJobs {
  private readonly jobs = new Map<string, BulkJob>();

  constructor(
    private readonly store: RecordStore,
    private readonly ids: IdFactory,
    readonly config: JobsConfig,
  ) {}

  clear(): void {
    for (const job of this.jobs.values()) clearTimeout(job.timer);
    this.jobs.clear();
  }

  list(): BulkJob[] {
    return [...this.jobs.values()];
  }

  create(body: Record<string, unknown>): BulkJob {
    const def = typeof body.object === 'string' ? this.store.schema.object(body.object) : undefined;
    const operation = body.operation as JobOperation;
    if (!def || def.kind === 'event') {
      throw new SfError(
        400,
        'INVALIDENTITY',
        `Entity '${String(body.object)}' is not supported by the Bulk API.`,
      );
    }
    if (!['insert', 'update', 'upsert', 'delete'].includes(operation)) {
      throw new SfError(400, 'INVALIDJOB', `InvalidJob : Invalid operation: ${String(body.operation)}`);
    }
    if (operation === 'upsert') {
      if (typeof body.externalIdFieldName !== 'string') {
        throw new SfError(
          400,
          'INVALIDJOB',
          'InvalidJob : External ID was blank for ' +
            def.name +
            '. An External ID must be specified for upsert.',
        );
      }
      this.store.externalIdField(def, body.externalIdFieldName);
    }
    if (body.contentType !== undefined && body.contentType !== 'CSV') {
      throw new SfError(
        400,
        'INVALIDJOB',
        `InvalidJob : Unsupported content type: ${String(body.contentType)}`,
      );
    }
    const delimiter = DELIMITERS[String(body.columnDelimiter ?? 'COMMA')];
    if (!delimiter)
      throw new SfError(
        400,
        'INVALIDJOB',
        `InvalidJob : Invalid column delimiter: ${String(body.columnDelimiter)}`,
      );
    const now = formatDateTime(Date.now());
    const job: BulkJob = {
      id: this.ids.next('750'),
      object: def,
      operation,
      externalIdFieldName: operation === 'upsert' ? (body.externalIdFieldName as string) : undefined,
      state: 'Open',
      lineEnding: body.lineEnding === 'CRLF' ? 'CRLF' : 'LF',
      columnDelimiter: String(body.columnDelimiter ?? 'COMMA'),
      createdDate: now,
      systemModstamp: now,
      uploads: [],
      header: [],
      rows: [],
      next: 0,
      processed: 0,
      failedCount: 0,
      successful: [],
      failed: [],
    };
    this.jobs.set(job.id, job);
    return job;
  }

  get(id: string): BulkJob {
    const job = this.jobs.get(id);
    if (!job) throw new SfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    return job;
  }

  upload(id: string, csv: string): void {
    const job = this.get(id);
    if (job.state !== 'Open')
      throw new SfError(
        409,
        'INVALIDJOBSTATE',
        `Job state is ${job.state}; data can only be uploaded to an Open job.`,
      );
    job.uploads.push(csv);
  }

  setState(id: string, state: unknown): BulkJob {
    const job = this.get(id);
    if (state === 'Aborted') {
      if (['JobComplete', 'Failed', 'Aborted'].includes(job.state)) {
        throw new SfError(409, 'INVALIDJOBSTATE', `Job is already ${job.state}.`);
      }
      clearTimeout(job.timer);
      this.finish(job, 'Aborted');
      return job;
    }
    if (state !== 'UploadComplete')
      throw new SfError(400, 'INVALIDJOBSTATE', `Invalid state transition to ${String(state)}.`);
    if (job.state !== 'Open')
      throw new SfError(409, 'INVALIDJOBSTATE', `Job state is ${job.state}; only an Open job can be closed.`);
    job.state = 'UploadComplete';
    this.touch(job);
    job.timer = setTimeout(() => this.start(job), this.config.queueDelayMs);
    job.timer.unref();
    return job;
  }

  private touch(job: BulkJob): void {
    job.systemModstamp = formatDateTime(Date.now());
  }

  private finish(job: BulkJob, state: JobState, errorMessage?: string): void {
    job.state = state;
    job.finishedAt = Date.now();
    if (errorMessage) job.errorMessage = errorMessage;
    this.touch(job);
  }

  private start(job: BulkJob): void {
    job.state = 'InProgress';
    job.startedAt = Date.now();
    this.touch(job);
    try {
      this.parseUploads(job);
    } catch (err) {
      this.finish(
        job,
        'Failed',
        err instanceof SfError ? err.message : `InvalidBatch : ${(err as Error).message}`,
      );
      return;
    }
    this.tick(job);
  }

  private parseUploads(job: BulkJob): void {
    const delimiter = DELIMITERS[job.columnDelimiter]!;
    for (const csv of job.uploads) {
      const rows = parse(csv, {
        delimiter,
        relax_quotes: false,
        skip_empty_lines: true,
        bom: true,
      }) as string[][];
      const [header, ...data] = rows;
      if (!header) continue;
      if (job.header.length && header.join('\u0000') !== job.header.join('\u0000')) {
        throw new SfError(
          400,
          'INVALIDBATCH',
          'InvalidBatch : All uploads of a job must have the same header row',
        );
      }
      job.header = header;
      job.rows.push(...data);
    }
    if (!job.header.length) throw new SfError(400, 'INVALIDBATCH', 'InvalidBatch : No data uploaded');
    for (const column of job.header) this.columnField(job, column);
    const need =
      job.operation === 'upsert' ? job.externalIdFieldName! : job.operation === 'insert' ? undefined : 'Id';
    if (need && !job.header.some((c) => c.toLowerCase() === need.toLowerCase())) {
      throw new SfError(400, 'INVALIDBATCH', `InvalidBatch : Field name not found : ${need}`);
    }
  }

  /** The field behind a header column (`Name`, or `Account__r.D365_Customer_Number__c`). */
  private columnField(job: BulkJob, column: string): FieldDef | undefined {
    const schema = this.store.schema;
    const [first, second] = column.split('.');
    if (second !== undefined) {
      const rel = schema.relationship(job.object, first!);
      const target = rel ? schema.object(rel.referenceTo[0] ?? '') : undefined;
      const ext = target ? schema.visibleField(target, second) : undefined;
      if (!rel || !ext)
        throw new SfError(400, 'INVALIDBATCH', `InvalidBatch : Field name not found : ${column}`);
      return undefined;
    }
    if (column.toLowerCase() === 'id') return job.object.fields.get('id');
    const f = schema.visibleField(job.object, column);
    if (!f) throw new SfError(400, 'INVALIDBATCH', `InvalidBatch : Field name not found : ${column}`);
    return f;
  }

  private tick(job: BulkJob): void {
    if (job.state !== 'InProgress') return;
    const perTick = Math.max(1, Math.floor((this.config.rowsPerSecond * TICK_MS) / 1000));
    const end = Math.min(job.rows.length, job.next + perTick);
    for (; job.next < end; job.next++) this.processRow(job, job.rows[job.next]!);
    if (job.next >= job.rows.length) {
      this.finish(job, 'JobComplete');
      return;
    }
    job.timer = setTimeout(() => this.tick(job), TICK_MS);
    job.timer.unref();
  }

  private processRow(job: BulkJob, cells: string[]): void {
    const body: SfRecord = {};
    job.header.forEach((column, i) => {
      const cell = cells[i] ?? '';
      const [rel, ext] = column.split('.');
      if (ext !== undefined) {
        if (cell !== '') body[rel!] = { [ext]: cell };
        return;
      }
      const f = this.columnField(job, column)!;
      body[f.name] = fromCsvCell(f, cell);
    });
    const def = job.object;
    job.processed++;
    try {
      let id: string;
      let created = false;
      if (job.operation === 'insert') {
        id = this.store.create(def, body, { csv: true }).Id as string;
        created = true;
      } else if (job.operation === 'upsert') {
        const f = this.store.externalIdField(def, job.externalIdFieldName!);
        const value = body[f.name];
        if (value === '' || value === null || value === undefined) {
          throw new SfError(400, 'MISSING_ARGUMENT', `${f.name} not specified`, [f.name]);
        }
        try {
          const result = this.store.upsert(def, f, value, body, { csv: true });
          id = result.record.Id as string;
          created = result.created;
        } catch (err) {
          if (err instanceof SfError && err.status === 300) {
            throw new SfError(
              400,
              'DUPLICATE_EXTERNAL_ID',
              `Duplicate external id specified: ${String(value)}`,
              [f.name],
            );
          }
          throw err;
        }
      } else {
        const { Id, ...rest } = body as { Id?: unknown };
        if (typeof Id !== 'string' || Id === '')
          throw new SfError(400, 'MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']);
        if (job.operation === 'update') id = this.store.update(def, Id, rest, { csv: true }).Id as string;
        else {
          this.store.delete(def, Id);
          id = Id;
        }
      }
      job.successful.push([id, String(created), ...cells]);
    } catch (err) {
      if (!(err instanceof SfError)) throw err;
      job.failedCount++;
      const knownId = typeof body.Id === 'string' ? body.Id : '';
      job.failed.push([knownId, `${err.errorCode}:${err.message}:${err.fields.join(',')} --`, ...cells]);
    }
  }

  /** Job info as `GET /jobs/ingest/{id}` returns it. */
  info(job: BulkJob, full: boolean): Record<string, unknown> {
    const base: Record<string, unknown> = {
      id: job.id,
      operation: job.operation,
      object: job.object.name,
      createdById: this.config.userId(),
      createdDate: job.createdDate,
      systemModstamp: job.systemModstamp,
      state: job.state,
      ...(job.externalIdFieldName ? { externalIdFieldName: job.externalIdFieldName } : {}),
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: Number(this.config.apiVersion),
      contentUrl: `services/data/v${this.config.apiVersion}/jobs/ingest/${job.id}/batches`,
      lineEnding: job.lineEnding,
      columnDelimiter: job.columnDelimiter,
    };
    if (!full) return base;
    const elapsed = job.startedAt ? (job.finishedAt ?? Date.now()) - job.startedAt : 0;
    return {
      ...base,
      jobType: 'V2Ingest',
      numberRecordsProcessed: job.processed,
      numberRecordsFailed: job.failedCount,
      retries: 0,
      totalProcessingTime: elapsed,
      apiActiveProcessingTime: elapsed,
      apexProcessingTime: 0,
      ...(job.errorMessage ? { errorMessage: job.errorMessage } : {}),
    };
  }

  results(job: BulkJob, kind: 'successfulResults' | 'failedResults' | 'unprocessedrecords'): string {
    if (kind !== 'unprocessedrecords' && !['JobComplete', 'Failed', 'Aborted'].includes(job.state)) {
      throw new SfError(
        409,
        'INVALIDJOBSTATE',
        `Results are available once the job is complete; it is ${job.state}.`,
      );
    }
    const header = job.header.length ? job.header : this.headerOf(job);
    if (kind === 'successfulResults')
      return stringify([['sf__Id', 'sf__Created', ...header], ...job.successful], { quoted: true });
    if (kind === 'failedResults')
      return stringify([['sf__Id', 'sf__Error', ...header], ...job.failed], { quoted: true });
    const rows = job.rows.length ? job.rows.slice(job.next) : this.rowsOf(job);
    return stringify([header, ...rows], { quoted: true });
  }

  private headerOf(job: BulkJob): string[] {
    const first = job.uploads[0];
    if (!first) return [];
    const rows = parse(first, { delimiter: DELIMITERS[job.columnDelimiter], to_line: 1 }) as string[][];
    return rows[0] ?? [];
  }

  private rowsOf(job: BulkJob): string[][] {
    return job.uploads.flatMap(
      (csv) => parse(csv, { delimiter: DELIMITERS[job.columnDelimiter], from_line: 2 }) as string[][],
    );
  }

  delete(id: string): void {
    const job = this.get(id);
    if (!['JobComplete', 'Failed', 'Aborted'].includes(job.state)) {
      throw new SfError(
        409,
        'INVALIDJOBSTATE',
        `Job state is ${job.state}; only finished jobs can be deleted.`,
      );
    }
    this.jobs.delete(id);
  }
}
