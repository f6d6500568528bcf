/**
 * Flow 7 as an `FNO_TO_SALESFORCE` entry: payment status on `Invoice__c`, standing on Account.
 * A run does each asked (or mapped) company in turn (`payments-sync.ts`) and adds their counts up.
 * `full` changes nothing here: every run already reads from its watermark, and writes only what
 * differs from what Salesforce was last given.
 */
import type { FnoRunResult, FnoToSalesforceFlow } from '../sync/flow.js';
import { UnmappedCompanyError } from '../sync/fno-errors.js';
import { PAYMENTS_FLOW, runPaymentsSync } from './payments-sync.js';

export const paymentsFlow: FnoToSalesforceFlow = {
  flow: PAYMENTS_FLOW,
  summary: "Payment status of every invoice and the customer's standing on Account, from F&O",
  entities: ['CustTransactions', 'CustomersV3'],
  sobjects: ['Invoice__c', 'Account'],
  scheduleSetting: 'PAYMENTS_SYNC_CRON',
  async run(opts, deps): Promise<FnoRunResult> {
    const { cfg, config } = deps;
    const mapped = Object.keys(cfg.companies);
    const companies = opts.companies?.length ? opts.companies.map((c) => c.toLowerCase()) : mapped;
    for (const c of companies) if (!cfg.companies[c]) throw new UnmappedCompanyError(c);
    const currencies: Record<string, string> = {};
    for (const [id, c] of Object.entries(cfg.companies)) currencies[id] = c.currency ?? '';
    const counts: Record<string, number> = { companies: 0 };
    for (const company of companies) {
      const report = await runPaymentsSync(
        { company, dryRun: opts.dryRun },
        {
          d365: deps.d365,
          salesforce: deps.salesforce,
          store: deps.store,
          timeZones: config.COMPANY_TIME_ZONES,
          currencies,
          refreshAfterMinutes: config.PAYMENTS_STANDING_REFRESH_MIN,
          clock: deps.clock,
        },
      );
      counts.companies! += 1;
      for (const [k, v] of Object.entries(report))
        if (typeof v === 'number') counts[k] = (counts[k] ?? 0) + v;
      deps.log.info(
        { flow: PAYMENTS_FLOW, company, today: report.today, since: report.since },
        'payments company done',
      );
    }
    return { flow: PAYMENTS_FLOW, dryRun: opts.dryRun, counts };
  },
};
