import { SalesforceApiError } from './errors.js';
import { toDetail, type SalesforceHttp } from './http.js';
import type { RecordResult, SfRecord } from './types.js';

/** sObject Collections take at most 200 records per call (reference §4.2). */
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
export async function collectionsUpsert(
  http: SalesforceHttp,
  object: string,
  externalIdField: string,
  records: SfRecord[],
  options: { allOrNone: boolean },
): Promise<RecordResult[]> {
  const results: RecordResult[] = [];
  for (let start = 0; start < records.length; start += COLLECTION_CHUNK) {
    const chunk = records.slice(start, start + COLLECTION_CHUNK);
    let wire: WireResult[];
    try {
      const res = await http.request<WireResult[]>({
        method: 'PATCH',
        path: `composite/sobjects/${encodeURIComponent(object)}/${encodeURIComponent(externalIdField)}`,
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
        externalId: record[externalIdField] === undefined ? undefined : String(record[externalIdField]),
        id: w.id ?? null,
        success: w.success,
        ...(w.created !== undefined ? { created: w.created } : {}),
        errors,
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

/**
 * Updates records by Id in chunks of 200 (`PATCH /composite/sobjects`, reference §4.2's sibling
 * "Update Records Using sObject Collections"). Each record carries its `Id`; results come back in
 * input order, per-record failures as data. Added for the sync flows' write-back (flows/write-back).
 */
export async function collectionsUpdate(
  http: SalesforceHttp,
  object: string,
  records: SfRecord[],
  options: { allOrNone: boolean },
): Promise<RecordResult[]> {
  const results: RecordResult[] = [];
  for (let start = 0; start < records.length; start += COLLECTION_CHUNK) {
    const chunk = records.slice(start, start + COLLECTION_CHUNK);
    let wire: WireResult[];
    try {
      const res = await http.request<WireResult[]>({
        method: 'PATCH',
        path: 'composite/sobjects',
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
        id: w.id ?? (typeof record.Id === 'string' ? record.Id : null),
        success: w.success,
        errors,
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
