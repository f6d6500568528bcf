/**
 * Flow 6's entry in `FNO_TO_SALESFORCE`: the invoice sweep as the flow's run (scheduled on
 * `INVOICE_SWEEP_CRON`, `POST /v1/flows/invoices/run`, `fo-bridge invoices sync`). Business events
 * feed Invoice__c as invoices post; the sweep heals what they missed.
 */
import type { FnoRunResult, FnoToSalesforceFlow } from '../sync/flow.js';
import { HEADER_ENTITY, JOURNAL_ENTITY, LINE_ENTITY } from './fno-invoice.js';
import { INVOICE_OBJECT } from './salesforce-invoices.js';
import { sweepInvoices, SINCE } from './sweep.js';

const DAY_MS = 86_400_000;

/** The requested first day, or today (UTC) minus the look-back. */
export function sweepSince(since: string | undefined, lookbackDays: number, now: number): string {
  if (since !== undefined) {
    if (!SINCE.test(since)) throw new RangeError('since must be a day, YYYY-MM-DD');
    return since;
  }
  return new Date(now - lookbackDays * DAY_MS).toISOString().slice(0, 10);
}

const COUNTS = ['checked', 'missing', 'different', 'written', 'customerMissing', 'failed'] as const;

export const invoicesFlow: FnoToSalesforceFlow = {
  flow: 'invoices',
  summary: 'posted sales invoices into Invoice__c and Invoice_Line__c',
  entities: [HEADER_ENTITY, LINE_ENTITY, JOURNAL_ENTITY],
  sobjects: [INVOICE_OBJECT, 'Invoice_Line__c'],
  scheduleSetting: 'INVOICE_SWEEP_CRON',
  async run(opts, deps): Promise<FnoRunResult> {
    const now = deps.clock();
    const report = await sweepInvoices(deps.d365, deps.salesforce, {
      since: sweepSince(opts.since, deps.config.INVOICE_SWEEP_DAYS, now),
      companies: (opts.companies ?? Object.keys(deps.cfg.companies)).map((c) => c.toLowerCase()),
      dryRun: opts.dryRun,
      signal: deps.signal,
      clock: () => now,
    });
    const counts: Record<string, number> = Object.fromEntries(COUNTS.map((k) => [k, 0]));
    for (const c of report.companies) for (const k of COUNTS) counts[k] = (counts[k] ?? 0) + c[k];
    deps.log.info({ flow: 'invoices', since: report.since, companies: report.companies }, 'invoice sweep');
    // Per company, for people: what F&O shows, what Salesforce lacks or holds differently.
    return { flow: 'invoices', dryRun: report.dryRun, counts, changes: report.companies };
  },
};
