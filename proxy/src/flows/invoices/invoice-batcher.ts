/**
 * Gathers the invoices of jobs running at the same time into one Salesforce batch: each job
 * hands its invoice over and waits for its own outcome; a batch leaves when `flushMs` passed
 * since its first invoice or it holds 200. So Salesforce calls grow with batches (4 each), not
 * with invoices, while a lone event still lands within `flushMs`.
 */
import type { SalesforceClient } from '../../salesforce/index.js';
import type { FnoInvoice } from './fno-invoice.js';
import { invoiceExternalId, pushInvoices, type PushOutcome } from './salesforce-invoices.js';

const MAX_BATCH = 200;

export interface InvoiceBatcher {
  push(invoice: FnoInvoice): Promise<PushOutcome>;
}

interface Waiting {
  invoice: FnoInvoice;
  resolve: (o: PushOutcome) => void;
  reject: (err: unknown) => void;
}

export function createInvoiceBatcher(
  sf: SalesforceClient,
  flushMs: number,
  clock: () => number = Date.now,
): InvoiceBatcher {
  let waiting: Waiting[] = [];
  let timer: NodeJS.Timeout | undefined;

  async function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = waiting;
    waiting = [];
    if (!batch.length) return;
    try {
      const { outcomes } = await pushInvoices(
        sf,
        batch.map((w) => w.invoice),
        new Date(clock()),
      );
      for (const w of batch) {
        const ext = invoiceExternalId(w.invoice.company, w.invoice.invoiceNumber);
        w.resolve(outcomes.get(ext) ?? { status: 'failed', message: 'no result', transient: true });
      }
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }

  return {
    push(invoice) {
      return new Promise<PushOutcome>((resolve, reject) => {
        // The same invoice twice in one batch would be two rows with one External ID: flush first.
        const ext = invoiceExternalId(invoice.company, invoice.invoiceNumber);
        if (waiting.some((w) => invoiceExternalId(w.invoice.company, w.invoice.invoiceNumber) === ext))
          void flush();
        waiting.push({ invoice, resolve, reject });
        if (waiting.length >= MAX_BATCH) void flush();
        else if (!timer) timer = setTimeout(() => void flush(), flushMs);
      });
    },
  };
}
