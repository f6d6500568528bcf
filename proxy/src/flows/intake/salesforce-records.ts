/**
 * Intake of Salesforce records sent by the package's Queueable callouts
 * (`{ records: [<JSON.serialize(SObject)>, …] }`, at most 200 — one trigger batch).
 *
 * Each record becomes a durable job keyed by (flow, Salesforce Id) and versioned by its
 * `SystemModstamp` before the proxy answers 202: nothing accepted is ever lost, a replay of the
 * same version is a no-op, and a newer edit supersedes a queued older one. Mapping happens
 * later, in the flow's handler, so a mapping fix plus a dead-letter replay heals a record
 * without Salesforce sending it again.
 */
import { z } from 'zod';
import type { EnqueueInput, JobQueue } from '../../jobs/index.js';

export const MAX_RECORDS = 200;

/** A Salesforce Id: 15 or 18 case-sensitive alphanumerics. */
export const salesforceId = z.string().regex(/^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/, 'must be a Salesforce Id');

/** What the door checks; the flow's own schema checks the rest when the job runs. */
export const incomingRecord = z.looseObject({
  attributes: z.looseObject({ type: z.string() }).optional(),
  Id: salesforceId,
  SystemModstamp: z.string().refine((s) => !Number.isNaN(Date.parse(normaliseSalesforceTime(s))), {
    message: 'must be a Salesforce datetime',
  }),
});

/**
 * The request body: `{ records: [...] }`. Each record is any JSON value here (checked one by one in
 * `acceptRecords`); `record` is the documented shape the OpenAPI output shows for it.
 */
export function recordsEnvelopeOf(record: z.ZodUnknown = z.unknown()) {
  return z.object({
    records: z
      .array(record)
      .min(1, 'send at least one record')
      .max(MAX_RECORDS, `at most ${MAX_RECORDS} records per call`),
  });
}

export const recordsEnvelope = recordsEnvelopeOf();

export type RecordResult =
  | { id: string | null; status: 'accepted'; jobId: string; outcome: string }
  | { id: string | null; status: 'rejected'; code: string; reason: string };

/** Salesforce writes `2026-11-26T10:15:00.000+0000`; make it ISO 8601 that Date.parse reads. */
export function normaliseSalesforceTime(value: string): string {
  return value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
}

/** A sortable version: the UTC ISO time of SystemModstamp (same width for every record). */
export function versionOf(systemModstamp: string): string {
  return new Date(Date.parse(normaliseSalesforceTime(systemModstamp))).toISOString();
}

/**
 * Validates each record, enqueues the valid ones in one transaction and reports per record.
 * Throws (StoreUnavailableError…) when the store cannot take them: then nothing was accepted.
 */
export async function acceptRecords(
  queue: JobQueue,
  flow: string,
  expectedType: string,
  records: unknown[],
): Promise<RecordResult[]> {
  const results: RecordResult[] = new Array(records.length);
  const inputs: Array<EnqueueInput<unknown>> = [];
  const positions: number[] = [];

  records.forEach((raw, i) => {
    const parsed = incomingRecord.safeParse(raw);
    const id =
      typeof (raw as { Id?: unknown })?.Id === 'string' ? ((raw as { Id: string }).Id ?? null) : null;
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      results[i] = {
        id,
        status: 'rejected',
        code: 'INVALID_RECORD',
        reason: `${issue.path.join('.') || 'record'}: ${issue.message}`,
      };
      return;
    }
    const type = parsed.data.attributes?.type;
    if (type && type !== expectedType && !type.endsWith(`__${expectedType}`)) {
      results[i] = {
        id,
        status: 'rejected',
        code: 'WRONG_OBJECT_TYPE',
        reason: `expected ${expectedType} records, got ${type}`,
      };
      return;
    }
    positions.push(i);
    inputs.push({
      flow,
      key: parsed.data.Id,
      version: versionOf(parsed.data.SystemModstamp),
      payload: parsed.data,
    });
  });

  if (inputs.length) {
    const enqueued = await queue.enqueueMany(inputs);
    enqueued.forEach((r, n) => {
      results[positions[n]!] = {
        id: inputs[n]!.key,
        status: 'accepted',
        jobId: r.job.id,
        outcome: r.outcome,
      };
    });
  }
  return results;
}
