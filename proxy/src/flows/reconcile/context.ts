/**
 * What one reconciliation works with while it runs, and what both directions share: the
 * report's pairs as findings arrive, the Salesforce read (SOQL pages or Bulk API 2.0 query, after
 * the API budget floor).
 */
import type { Config } from '../../config.js';
import type { D365Client } from '../../d365/index.js';
import type { JobQueue } from '../../jobs/index.js';
import type { BridgeConfig } from '../../mapping/index.js';
import type { SalesforceClient } from '../../salesforce/index.js';
import type { FnoRunRequest } from '../fno-flows.js';
import {
  FINDINGS_SHOWN,
  type Finding,
  type PairCounts,
  type PairReport,
  type ReconcileReport,
} from './report.js';

export type Row = Record<string, unknown>;

/** Salesforce query pages: the client asks for this many records per page. */
const PAGE = 2000;

export interface ReconcileOptions {
  /** Flow names (`account`, `invoices`); all when absent. */
  flows?: readonly string[];
  /** dataAreaIds; all mapped companies when absent. */
  companies?: readonly string[];
  repair: boolean;
  dryRun: boolean;
  trigger: ReconcileReport['trigger'];
}

export interface ReconcileDeps {
  d365: D365Client;
  salesforce: SalesforceClient;
  cfg: BridgeConfig;
  config: Config;
  queue: Pick<JobQueue, 'enqueueMany'>;
  /** Runs (or queues) an F&O → Salesforce flow: the repair of what it writes. */
  runFlow(flow: string, req: FnoRunRequest): Promise<unknown>;
  clock: () => number;
  signal?: AbortSignal;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

const emptyCounts = (): PairCounts => ({
  salesforce: 0,
  fno: 0,
  matched: 0,
  missingInFno: 0,
  missingInSalesforce: 0,
  different: 0,
  wrongCompany: 0,
  pendingTooLong: 0,
  unmappable: 0,
});

/** The report's pairs, one per flow and company, created as findings arrive. */
export class Pairs {
  readonly list: PairReport[] = [];
  get(flow: string, pair: string, direction: PairReport['direction'], company: string): PairReport {
    let p = this.list.find((x) => x.flow === flow && x.company === company && x.pair === pair);
    if (!p) {
      p = { flow, pair, direction, company, counts: emptyCounts(), findings: [], truncated: false };
      this.list.push(p);
    }
    return p;
  }
  add(p: PairReport, finding: Finding): void {
    p.counts[finding.kind] += 1;
    if (p.findings.length < FINDINGS_SHOWN) p.findings.push(finding);
    else p.truncated = true;
  }
}

export const none = (why: string) => ({ action: 'none' as const, why, applied: false });

export interface Run {
  opts: ReconcileOptions;
  deps: ReconcileDeps;
  pairs: Pairs;
  notes: string[];
  requests: { fno: number; salesforce: number };
  /** In scope. */
  companies: string[];
  /** Every mapped company (F&O is read in all of them to see a record in the wrong one). */
  mapped: string[];
  id: string;
  apply: boolean;
}

/**
 * All records of a query, after the API budget allows background work: SOQL pages of 2,000
 * (`queryMore`), or — when more records than SF_BULK_THRESHOLD match and the query has no
 * sub-query — a Bulk API 2.0 query (a handful of calls whatever the size; every value as text).
 */
export async function soql(run: Run, query: string): Promise<Row[]> {
  const { salesforce, signal, config } = run.deps;
  await salesforce.budget.waitForBackground(signal ? { signal } : {});
  const out: Row[] = [];
  const from = query.indexOf(' FROM ');
  if (!query.includes('(SELECT') && from > 0) {
    run.requests.salesforce += 1;
    const total = await salesforce.count(`SELECT COUNT()${query.slice(from)}`);
    if (total > config.SF_BULK_THRESHOLD) {
      const pages = salesforce.bulkQuery<Row>(query, {
        expectedRows: total,
        onRequest: () => {
          run.requests.salesforce += 1;
        },
      });
      for await (const page of pages) out.push(...page);
      return out;
    }
  }
  for await (const r of salesforce.query<Row>(query, { batchSize: PAGE })) out.push(r);
  run.requests.salesforce += Math.max(1, Math.ceil(out.length / PAGE));
  return out;
}

export function text(record: Row, field: string): string | undefined {
  const v = record[field];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}
