/**
 * The job of one posted invoice (from its business event or the sweep): read it from F&O, write
 * it to Salesforce. Failures:
 *  - F&O does not show the invoice yet → retry (`INVOICE_NOT_IN_FNO`);
 *  - its customer is not in Salesforce (the Account was never synced, or not yet) → wait and
 *    retry; after JOB_MAX_ATTEMPTS it is a dead letter with `CUSTOMER_NOT_IN_SALESFORCE`,
 *    to replay once the Account exists;
 *  - a Salesforce write refused → retry when Salesforce says it may pass, else a dead letter.
 */
import type { D365Client } from '../../d365/index.js';
import { PermanentJobError, TransientJobError, type Job, type JobContext } from '../../jobs/index.js';
import type { SalesforceClient } from '../../salesforce/index.js';
import { readFnoInvoice } from './fno-invoice.js';
import type { InvoiceJobPayload } from './intake.js';
import { createInvoiceBatcher } from './invoice-batcher.js';
import { invoiceExternalId } from './salesforce-invoices.js';

export interface InvoiceJobDeps {
  d365: D365Client | undefined;
  salesforce: SalesforceClient | undefined;
  /** How long an invoice waits for others to share its Salesforce batch (INVOICE_BATCH_MS). */
  batchMs: number;
  clock?: () => number;
}

export function invoiceJobHandler(deps: InvoiceJobDeps) {
  const batcher = deps.salesforce
    ? createInvoiceBatcher(deps.salesforce, deps.batchMs, deps.clock)
    : undefined;
  return async (job: Job<InvoiceJobPayload>, ctx: JobContext): Promise<void> => {
    const { company, invoiceId, customerAccount } = job.payload;
    if (!deps.d365)
      throw new TransientJobError({ code: 'D365_NOT_CONFIGURED', message: 'F&O is not configured' });
    if (!deps.salesforce || !batcher)
      throw new TransientJobError({
        code: 'SALESFORCE_NOT_CONFIGURED',
        message: 'Salesforce is not configured',
      });
    const invoice = await readFnoInvoice(deps.d365, company, invoiceId, ctx.signal);
    if (!invoice)
      throw new TransientJobError({
        code: 'INVOICE_NOT_IN_FNO',
        message: `F&O shows no invoice ${invoiceId} in ${company.toUpperCase()} (yet)`,
      });
    const ext = invoiceExternalId(company, invoiceId);
    const outcome = await batcher.push(invoice);
    if (outcome?.status === 'written') {
      ctx.log.info({ invoice: ext, lines: invoice.lines.length }, 'invoice written to Salesforce');
      return;
    }
    if (outcome.status === 'customer-missing') {
      throw new TransientJobError({
        code: 'CUSTOMER_NOT_IN_SALESFORCE',
        message: `customer ${invoice.customerAccount || customerAccount} of ${company.toUpperCase()} is not in Salesforce (no Account with that D365 customer number and legal entity); sync the Account, then replay`,
        details: { company, customerAccount: invoice.customerAccount || customerAccount, invoice: ext },
      });
    }
    const init = { code: 'SALESFORCE_WRITE_FAILED', message: outcome.message, details: { invoice: ext } };
    throw outcome.transient ? new TransientJobError(init) : new PermanentJobError(init);
  };
}
