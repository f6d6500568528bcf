/**
 * Invoice jobs (from business events, one per invoice) run in groups: the queue claims the due
 * ones together (`INVOICE_BATCH_MS` apart, up to 400), this handler reads them from F&O per
 * company in a few `or`-filtered queries and writes them to Salesforce in one batch — so the
 * Salesforce calls grow with groups, not invoices. Each job still ends on its own:
 *  - F&O does not show the invoice yet → that job retries (`INVOICE_NOT_IN_FNO`);
 *  - its customer is not in Salesforce (the Account was never synced, or not yet) → that job
 *    waits and retries; after JOB_MAX_ATTEMPTS it is a dead letter with
 *    `CUSTOMER_NOT_IN_SALESFORCE`, to replay once the Account exists;
 *  - a Salesforce write refused → that job retries when Salesforce says it may pass, else it is a
 *    dead letter;
 *  - F&O or Salesforce failing as a whole → every job it concerned fails with that error.
 * The store runs one job per invoice key at a time, so a group holds each invoice once, at its
 * newest version; older events for it were superseded or stale before they could run.
 */
import type { D365Client } from '../../d365/index.js';
import {
  PermanentJobError,
  TransientJobError,
  type GroupHandler,
  type GroupOutcome,
  type Job,
} from '../../jobs/index.js';
import type { SalesforceClient } from '../../salesforce/index.js';
import { readFnoInvoices, type FnoInvoice } from './fno-invoice.js';
import type { InvoiceJobPayload } from './intake.js';
import { invoiceExternalId, pushInvoices, type PushOutcome } from './salesforce-invoices.js';

/**
 * Most invoices in one group: one Salesforce batch (salesforce-invoices.ts), upserted 200 per
 * call. Twice what one call takes, so that at the rate one claim interval fills with ~200 the
 * claim is not "full" and followed at once by a near-empty group (that would cost a batch's
 * lookups for a handful of invoices).
 */
export const INVOICE_GROUP_MAX = 400;

export interface InvoiceGroupDeps {
  d365: D365Client | undefined;
  salesforce: SalesforceClient | undefined;
  clock?: () => number;
}

const failed = (error: unknown): GroupOutcome => ({ ok: false, error });

/** What a Salesforce outcome means for the invoice's job. */
function jobOutcome(job: Job<InvoiceJobPayload>, invoice: FnoInvoice, outcome: PushOutcome | undefined) {
  const { company, invoiceId, customerAccount } = job.payload;
  const ext = invoiceExternalId(company, invoiceId);
  if (outcome?.status === 'written') return { ok: true } as const;
  if (outcome?.status === 'customer-missing') {
    const customer = invoice.customerAccount || customerAccount;
    return failed(
      new TransientJobError({
        code: 'CUSTOMER_NOT_IN_SALESFORCE',
        message: `customer ${customer} of ${company.toUpperCase()} is not in Salesforce (no Account with that D365 customer number and legal entity); sync the Account, then replay`,
        details: { company, customerAccount: customer, invoice: ext },
      }),
    );
  }
  const init = {
    code: 'SALESFORCE_WRITE_FAILED',
    message: outcome?.message ?? 'Salesforce gave no result for the invoice',
    details: { invoice: ext },
  };
  return failed(outcome && !outcome.transient ? new PermanentJobError(init) : new TransientJobError(init));
}

export function invoiceGroupHandler(deps: InvoiceGroupDeps): GroupHandler<InvoiceJobPayload> {
  return async (jobs, ctx) => {
    const results = new Map<string, GroupOutcome>();
    const { d365, salesforce } = deps;
    const all = (error: unknown) => new Map(jobs.map((j) => [j.id, failed(error)]));
    if (!d365)
      return all(new TransientJobError({ code: 'D365_NOT_CONFIGURED', message: 'F&O is not configured' }));
    if (!salesforce)
      return all(
        new TransientJobError({ code: 'SALESFORCE_NOT_CONFIGURED', message: 'Salesforce is not configured' }),
      );

    // F&O, per company: a company whose read fails fails its own jobs only.
    const byCompany = new Map<string, Job<InvoiceJobPayload>[]>();
    for (const job of jobs) {
      const c = job.payload.company.toLowerCase();
      byCompany.set(c, [...(byCompany.get(c) ?? []), job]);
    }
    const found: Array<{ job: Job<InvoiceJobPayload>; invoice: FnoInvoice }> = [];
    await Promise.all(
      [...byCompany].map(async ([company, group]) => {
        try {
          const invoices = await readFnoInvoices(
            d365,
            company,
            group.map((j) => j.payload.invoiceId),
            ctx.signal,
          );
          for (const job of group) {
            const invoice = invoices.get(job.payload.invoiceId);
            if (invoice) found.push({ job, invoice });
            else
              results.set(
                job.id,
                failed(
                  new TransientJobError({
                    code: 'INVOICE_NOT_IN_FNO',
                    message: `F&O shows no invoice ${job.payload.invoiceId} in ${company.toUpperCase()} (yet)`,
                  }),
                ),
              );
          }
        } catch (err) {
          for (const job of group) results.set(job.id, failed(err));
        }
      }),
    );
    if (!found.length) return results;

    // Salesforce, one batch; each invoice once even if two jobs named it (never the case while
    // the store runs one job per key, but two rows with one External ID would fail the call).
    const unique = new Map(
      found.map((f) => [invoiceExternalId(f.invoice.company, f.invoice.invoiceNumber), f.invoice]),
    );
    try {
      const { outcomes } = await pushInvoices(
        salesforce,
        [...unique.values()],
        new Date((deps.clock ?? Date.now)()),
      );
      for (const { job, invoice } of found) {
        const ext = invoiceExternalId(invoice.company, invoice.invoiceNumber);
        const outcome = jobOutcome(job, invoice, outcomes.get(ext));
        if (outcome.ok)
          ctx.log.info({ invoice: ext, lines: invoice.lines.length }, 'invoice written to Salesforce');
        results.set(job.id, outcome);
      }
    } catch (err) {
      for (const { job } of found) results.set(job.id, failed(err));
    }
    return results;
  };
}
