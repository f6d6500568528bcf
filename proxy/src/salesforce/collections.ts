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

/**
 * Upserts by External ID in chunks of 200 (`PATCH /composite/sobjects/{Object}/{Field}`).
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
 * Sends `records` to a collections endpoint 200 at a time and maps each wire result back to its
 * input position; `identify` adds what the operation knows about the record (id, external id).
 */
async function inChunks(
  http: SalesforceHttp,
  path: string,
  object: string,
  records: SfRecord[],
  options: { allOrNone: boolean },
  identify: (record: SfRecord, wire: WireResult) => Pick<RecordResult, 'id'> & Partial<RecordResult>,
): Promise<RecordResult[]> {
  const results: RecordResult[] = [];
  for (let start = 0; start < records.length; start += COLLECTION_CHUNK) {
    const chunk = records.slice(start, start + COLLECTION_CHUNK);
    let wire: WireResult[];
    try {
      const res = await http.request<WireResult[]>({
        method: 'PATCH',
        path,
        json: {
          allOrNone: options.allOrNone,
          records: chunk.map((r) => ({ attributes: { type: object }, ...r })),
        },
      });
      wire = res.body;
    } catch (err) {
      if (err instanceof SalesforceApiError) err.partialResults = results;
      throw err;
    }
    chunk.forEach((record, i) => {
      const w = wire[i] ?? {
        success: false,
        errors: [{ statusCode: 'UNKNOWN', message: 'No result returned for this record' }],
      };
      const errors = (w.errors ?? []).map(toDetail);
      results.push({
        index: start + i,
        ...identify(record, w),
        success: w.success,
        errors,
        // A record rolled back with its chunk, or a locked row, can succeed when sent again.
        ...(w.success
          ? {}
          : {
              transient: errors.some(
                (e) => e.errorCode === ROLLED_BACK || e.errorCode === 'UNABLE_TO_LOCK_ROW',
              ),
            }),
      });
    });
  }
  return results;
}
