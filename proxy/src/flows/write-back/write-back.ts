/**
 * Write-back to Salesforce for the sync flows (1–3): the F&O key, `D365_Sync_Status__c`,
 * `D365_Last_Synced__c` and `D365_Sync_Error__c` on the record that was synced.
 *
 * Records are grouped into one sObject Collections update (`PATCH /composite/sobjects`, up to
 * 200 per call) instead of one REST call each: a write waits at most `flushMs` for company, and
 * goes at once when every running sync job is already waiting (nobody else can join the group)
 * or 200 are waiting. Durable without a store of its own: the job completes only after its own
 * record's write succeeded, so a crash before the flush just runs the job again (the F&O side
 * is idempotent by then).
 *
 * Field names are the package's (`D365_Customer_Number__c`); the Salesforce client applies the
 * namespace in one place.
 */
import { TransientJobError } from '../../jobs/index.js';
import { SalesforceApiError, type SalesforceClient } from '../../salesforce/index.js';

export type SyncObject = 'Account' | 'Contact' | 'Opportunity';

export interface SyncWriteBack {
  /** Resolves once Salesforce stored `fields` on the record; rejects with that record's error. */
  write(object: SyncObject, id: string, fields: Record<string, unknown>): Promise<void>;
  /** Flush what is waiting and stop the timer. */
  close(): Promise<void>;
  readonly configured: boolean;
}

export interface WriteBackOptions {
  salesforce: Pick<SalesforceClient, 'updateMany'>;
  /** Longest wait before a group is sent (SYNC_WRITEBACK_FLUSH_MS, default 250). */
  flushMs?: number;
  /** Records per call (sObject Collections: at most 200). */
  maxBatch?: number;
  /** How many sync jobs are running now: when all of them wait here, flush without waiting. */
  activeJobs?: () => number;
}

interface Waiting {
  object: SyncObject;
  id: string;
  fields: Record<string, unknown>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export function createWriteBack(opts: WriteBackOptions): SyncWriteBack & { readonly calls: number } {
  const flushMs = opts.flushMs ?? 250;
  const maxBatch = Math.min(200, Math.max(1, opts.maxBatch ?? 200));
  let waiting: Waiting[] = [];
  let timer: NodeJS.Timeout | null = null;
  let calls = 0;
  const inFlight = new Set<Promise<void>>();

  function schedule(): void {
    const active = opts.activeJobs?.() ?? Infinity;
    if (waiting.length >= maxBatch || waiting.length >= active || flushMs === 0) {
      flush();
      return;
    }
    if (!timer) {
      timer = setTimeout(flush, flushMs);
      timer.unref();
    }
  }

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (waiting.length === 0) return;
    const group = waiting;
    waiting = [];
    const byObject = new Map<SyncObject, Waiting[]>();
    for (const w of group) byObject.set(w.object, [...(byObject.get(w.object) ?? []), w]);
    for (const [object, entries] of byObject) {
      for (let i = 0; i < entries.length; i += maxBatch) {
        const p = send(object, entries.slice(i, i + maxBatch));
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
    }
  }

  async function send(object: SyncObject, entries: Waiting[]): Promise<void> {
    calls += 1;
    try {
      const results = await opts.salesforce.updateMany(
        object,
        entries.map((e) => ({ Id: e.id, ...e.fields })),
        { allOrNone: false },
      );
      entries.forEach((e, i) => {
        const r = results[i];
        if (r?.success) e.resolve();
        else {
          const errors = r?.errors.length
            ? r.errors
            : [
                {
                  errorCode: 'UNKNOWN',
                  message: 'Salesforce returned no result for this record',
                  fields: [],
                },
              ];
          e.reject(
            new SalesforceApiError({
              status: 400,
              errors,
              ...(r?.transient !== undefined ? { transient: r.transient } : {}),
            }),
          );
        }
      });
    } catch (err) {
      for (const e of entries) e.reject(err);
    }
  }

  return {
    configured: true,
    get calls() {
      return calls;
    },
    write(object, id, fields) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ object, id, fields, resolve, reject });
        schedule();
      });
    },
    async close() {
      flush();
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** Salesforce is not configured: every write-back fails transiently (the job retries, then dead-letters). */
export function notConfiguredWriteBack(): SyncWriteBack {
  return {
    configured: false,
    write: async () => {
      throw new TransientJobError({
        code: 'SALESFORCE_NOT_CONFIGURED',
        message:
          'The F&O side is done, but the proxy cannot write the result back to Salesforce: set SF_CLIENT_ID, SF_USERNAME and SF_PRIVATE_KEY, then replay this job.',
        retryAfterMs: 60_000,
      });
    },
    close: async () => {},
  };
}
