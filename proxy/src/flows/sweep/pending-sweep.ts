/**
 * The catch-up sweep (a lost callout heals itself): on a schedule, ask Salesforce for
 * Accounts, Contacts and won Opportunities whose `D365_Sync_Status__c` is still `Pending` although
 * they were last modified more than `ageMinutes` ago, and enqueue them exactly as the package's
 * callout would have (same fields as `D365SyncSelector`, same job key = Salesforce Id, same
 * version = `SystemModstamp`). A record that is already queued, running or done at that version
 * is a no-op (`duplicate` / `stale`), so the sweep only adds what was really lost.
 *
 * Background work: each query first waits for the Salesforce API budget (`waitForBackground`).
 */
import { acceptRecords, MAX_RECORDS } from '../intake/salesforce-records.js';
import type { JobHandler, JobLogger, JobQueue } from '../../jobs/index.js';
import type { SalesforceClient } from '../../salesforce/index.js';

export const SWEEP_FLOW = 'sync-sweep';

/** The same fields the package's `D365SyncSelector` sends (package names; the client adds the namespace). */
export const SWEEP_QUERIES = [
  {
    flow: 'account',
    sobject: 'Account',
    fields: [
      'Id',
      'Name',
      'AccountNumber',
      'Phone',
      'Website',
      'BillingStreet',
      'BillingCity',
      'BillingState',
      'BillingPostalCode',
      'BillingCountry',
      'ShippingStreet',
      'ShippingCity',
      'ShippingState',
      'ShippingPostalCode',
      'ShippingCountry',
      'D365_Legal_Entity__c',
      'D365_Customer_Number__c',
      'D365_Sync_Status__c',
      'SystemModstamp',
    ],
    where: '',
  },
  {
    flow: 'contact',
    sobject: 'Contact',
    fields: [
      'Id',
      'AccountId',
      'Salutation',
      'FirstName',
      'LastName',
      'Title',
      'Department',
      'Email',
      'Phone',
      'MobilePhone',
      'MailingStreet',
      'MailingCity',
      'MailingState',
      'MailingPostalCode',
      'MailingCountry',
      'D365_Contact_Person_Id__c',
      'D365_Sync_Status__c',
      'SystemModstamp',
      'Account.D365_Customer_Number__c',
      'Account.D365_Legal_Entity__c',
    ],
    where: '',
  },
  {
    flow: 'order',
    sobject: 'Opportunity',
    fields: [
      'Id',
      'Name',
      'AccountId',
      'CloseDate',
      'Amount',
      'Description',
      'StageName',
      'IsWon',
      'Pricebook2Id',
      'D365_Sales_Order_Number__c',
      'D365_Sync_Status__c',
      'SystemModstamp',
      'Account.Name',
      'Account.D365_Customer_Number__c',
      'Account.D365_Legal_Entity__c',
      '(SELECT Id, OpportunityId, Product2Id, Product2.Name, Product2.ProductCode, Product2.D365_Item_Number__c, Quantity, UnitPrice, TotalPrice, ServiceDate FROM OpportunityLineItems ORDER BY SortOrder)',
    ],
    where: ' AND IsWon = true',
  },
] as const;

export interface SweepOptions {
  salesforce: Pick<SalesforceClient, 'queryAll' | 'sfName' | 'budget'>;
  queue: Pick<JobQueue, 'enqueueMany'>;
  /** SYNC_SWEEP_AGE_MIN. */
  ageMinutes: number;
  /** SYNC_SWEEP_LIMIT: records per object per run. */
  limit: number;
  clock?: () => number;
  logger?: JobLogger;
}

export interface SweepResult {
  object: string;
  found: number;
  enqueued: number;
  alreadyKnown: number;
  rejected: number;
}

/** SOQL datetime literal (no quotes, no milliseconds). */
function soqlDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function sweepPending(opts: SweepOptions, signal?: AbortSignal): Promise<SweepResult[]> {
  const cutoff = soqlDateTime((opts.clock ?? Date.now)() - opts.ageMinutes * 60_000);
  const out: SweepResult[] = [];
  for (const q of SWEEP_QUERIES) {
    await opts.salesforce.budget.waitForBackground(signal ? { signal } : {});
    const soql =
      `SELECT ${q.fields.join(', ')} FROM ${q.sobject} ` +
      `WHERE D365_Sync_Status__c = 'Pending' AND LastModifiedDate < ${cutoff}${q.where} ` +
      `ORDER BY LastModifiedDate LIMIT ${opts.limit}`;
    // The client hands back package names; the flows read records as the org sends them.
    const records = (await opts.salesforce.queryAll<Record<string, unknown>>(soql)).map((r) =>
      toOrgNames(r, opts.salesforce.sfName),
    );
    const result: SweepResult = {
      object: q.sobject,
      found: records.length,
      enqueued: 0,
      alreadyKnown: 0,
      rejected: 0,
    };
    for (let i = 0; i < records.length; i += MAX_RECORDS) {
      const accepted = await acceptRecords(
        opts.queue as JobQueue,
        q.flow,
        q.sobject,
        records.slice(i, i + MAX_RECORDS),
      );
      for (const a of accepted) {
        if (a.status === 'rejected') result.rejected += 1;
        else if (
          a.outcome === 'enqueued' ||
          a.outcome === 'superseded-older' ||
          a.outcome === 'queued-behind'
        )
          result.enqueued += 1;
        else result.alreadyKnown += 1;
      }
    }
    out.push(result);
  }
  return out;
}

function toOrgNames(value: unknown, sfName: (n: string) => string): any {
  if (Array.isArray(value)) return value.map((v) => toOrgNames(v, sfName));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k === 'attributes' ? k : sfName(k)] = k === 'attributes' ? v : toOrgNames(v, sfName);
  }
  return out;
}

/** The job handler the scheduler's `sync-sweep` runs call. */
export function createSweepHandler(opts: SweepOptions): JobHandler<unknown> {
  return async (_job, ctx) => {
    const results = await sweepPending(opts, ctx.signal);
    const enqueued = results.reduce((n, r) => n + r.enqueued, 0);
    (enqueued > 0 ? ctx.log.warn : ctx.log.info).call(
      ctx.log,
      { results },
      enqueued > 0
        ? `sync sweep re-enqueued ${enqueued} Pending record(s) whose callout was lost`
        : 'sync sweep found nothing lost',
    );
  };
}
