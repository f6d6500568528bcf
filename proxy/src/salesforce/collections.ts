import { SalesforceApiError } from './errors.js';
import { toDetail, type SalesforceHttp } from './http.js';
import type { RecordResult, SfRecord } from './types.js';

/** sObject Collections take at most 200 records per call (Salesforce's limit). */
export const COLLECTION_CHUNK = 200;

interface WireResult {
  id?: string | null;
  success: boolean;
  created?: boolean;
  errors?: Array<Record<string, unknown>>;
}

const ROLLED_BACK = 'ALL_OR_NONE_OPERATION_ROLLED_BACK';

/** What an operation knows about a record beside the wire result (its id, its external id). */
type Identify = (record: SfRecord, wire: WireResult) => Pick<RecordResult, 'id'> & Partial<RecordResult>;

/**
 * Upserts by External ID in chunks of 200 (`PATCH /composite/sobjects/{Object}/{Field}`), 5 chunks
 * to a composite call.
 * `records` already carry org names; results come back in input order. A chunk-level failure
 * throws a SalesforceApiError whose `partialResults` hold the chunks already done.
 */
export function collectionsUpsert(
  http: SalesforceHttp,
  object: string,
  externalIdField: string,
  records: SfRecord[],
  options: { allOrNone: boolean },
): Promise<RecordResult[]> {
  const path = `composite/sobjects/${encodeURIComponent(object)}/${encodeURIComponent(externalIdField)}`;
  return inChunks(http, path, object, records, options, (record, w) => ({
    externalId: record[externalIdField] === undefined ? undefined : String(record[externalIdField]),
    id: w.id ?? null,
    ...(w.created !== undefined ? { created: w.created } : {}),
  }));
}

/**
 * Updates records by Id in chunks of 200 (`PATCH /composite/sobjects`, Salesforce's
 * "Update Records Using sObject Collections"). Each record carries its `Id`; results come back in
 * input order, per-record failures as data. Used by the sync flows' write-back (flows/write-back).
 */
export function collectionsUpdate(
  http: SalesforceHttp,
  object: string,
  records: SfRecord[],
  options: { allOrNone: boolean },
): Promise<RecordResult[]> {
  return inChunks(http, 'composite/sobjects', object, records, options, (record, w) => ({
    id: w.id ?? (typeof record.Id === 'string' ? record.Id : null),
  }));
}

/**
 * Salesforce runs at most 5 sObject Collections subrequests in one composite call, and the
 * whole composite counts as ONE call toward the daily API limit: 1,000 records cost 1 call, not 5.
 */
export const CHUNKS_PER_COMPOSITE = 5;

interface CompositeResponse {
  compositeResponse: Array<{ body: unknown; httpStatusCode: number; referenceId: string }>;
}

/**
 * Sends `records` to a collections endpoint 200 at a time and maps each wire result back to its
 * input position; `identify` adds what the operation knows about the record (id, external id).
 * One chunk goes as it is; more go 5 to a composite call (same results, a fifth of the API calls).
 */
async function inChunks(
  http: SalesforceHttp,
  path: string,
  object: string,
  records: SfRecord[],
  options: { allOrNone: boolean },
  identify: Identify,
): Promise<RecordResult[]> {
  const chunks: SfRecord[][] = [];
  for (let start = 0; start < records.length; start += COLLECTION_CHUNK)
    chunks.push(records.slice(start, start + COLLECTION_CHUNK));
  const body = (chunk: SfRecord[]) => ({
    allOrNone: options.allOrNone,
    records: chunk.map((r) => ({ attributes: { type: object }, ...r })),
  });
  const results: RecordResult[] = [];
  const collect = (chunk: SfRecord[], wire: WireResult[]) => {
    const start = results.length;
    chunk.forEach((record, i) => results.push(toResult(start + i, record, wire[i], identify)));
  };
  try {
    if (chunks.length === 1) {
      const chunk = chunks[0] as SfRecord[];
      collect(chunk, (await http.request<WireResult[]>({ method: 'PATCH', path, json: body(chunk) })).body);
      return results;
    }
    for (let c = 0; c < chunks.length; c += CHUNKS_PER_COMPOSITE) {
      const group = chunks.slice(c, c + CHUNKS_PER_COMPOSITE);
      const res = await http.request<CompositeResponse>({
        method: 'POST',
        path: 'composite',
        // Chunks are independent, as they are when sent one by one: one failing does not undo another.
        json: {
          allOrNone: false,
          compositeRequest: group.map((chunk, i) => ({
            method: 'PATCH',
            url: http.versioned(path),
            referenceId: `chunk${c + i}`,
            body: body(chunk),
          })),
        },
      });
      group.forEach((chunk, i) => {
        const sub = res.body.compositeResponse[i];
        if (!sub || sub.httpStatusCode >= 300 || !Array.isArray(sub.body)) {
          const status = sub?.httpStatusCode ?? 0;
          const list = Array.isArray(sub?.body) ? (sub.body as Array<Record<string, unknown>>) : [];
          const errors = list.length
            ? list.map(toDetail)
            : [{ errorCode: 'UNKNOWN', message: `Composite subrequest answered ${status}`, fields: [] }];
          throw http.errorFor(status, errors);
        }
        collect(chunk, sub.body as WireResult[]);
      });
    }
  } catch (err) {
    if (err instanceof SalesforceApiError) err.partialResults = results;
    throw err;
  }
  return results;
}

function toResult(
  index: number,
  record: SfRecord,
  wire: WireResult | undefined,
  identify: Identify,
): RecordResult {
  const w = wire ?? {
    success: false,
    errors: [{ statusCode: 'UNKNOWN', message: 'No result returned for this record' }],
  };
  const errors = (w.errors ?? []).map(toDetail);
  return {
    index,
    ...identify(record, w),
    success: w.success,
    errors,
    // A record rolled back with its chunk, or a locked row, can succeed when sent again.
    ...(w.success
      ? {}
      : {
          transient: errors.some((e) => e.errorCode === ROLLED_BACK || e.errorCode === 'UNABLE_TO_LOCK_ROW'),
        }),
  };
}
