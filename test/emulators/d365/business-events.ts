/**
 * Business events to HTTPS/HTTP endpoints (reference §7): a test event
 * `BusinessEventsTestEndpointContract` on registration, `SalesInvoicePostedBusinessEvent` on invoice
 * posting; envelope keys in alphabetical order, WCF `/Date(ms)/` times, ControlNumber increasing with
 * gaps; 3 tries 1000 ms apart (× timeScale), 10 s timeout; a 2xx counts as delivered.
 */
import { randomUUID } from 'node:crypto';
import type { Counters } from './counters.js';
import type { PostedInvoice } from './posting.js';

export interface DeliveryRecord {
  url: string;
  businessEventId: string;
  eventId: string;
  controlNumber: string;
  attempts: number;
  delivered: boolean;
  lastStatus?: number;
  lastError?: string;
  payload: string;
}

const MIN_INT64 = '-9223372036854775808';
/** The user "who" posted; braced upper-case GUID as in real payloads. */
const INITIATING_USER = '{6F5B6E5E-2C1A-4C1F-9E2B-0D1A7B3C9F10}';

function wcfDate(ms: number): string {
  return `/Date(${ms})/`;
}

function sorted(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(obj)
      .sort()
      .map((k) => [k, obj[k]]),
  );
}

export class BusinessEvents {
  readonly endpoints: string[] = [];
  readonly log: DeliveryRecord[] = [];
  private readonly pending = new Set<Promise<void>>();
  private controlNumber = 5637145326;
  /** When set, posted invoices send no event (as when the event is not activated): the sweep test. */
  dropped = false;

  constructor(
    private readonly timeScale: number,
    private readonly counters: Counters,
    private readonly random: () => number,
  ) {}

  reset(): void {
    this.endpoints.length = 0;
    this.log.length = 0;
  }

  private envelope(
    businessEventId: string,
    legalEntity: string,
    controlNumber: string,
    now: Date,
    fields: Record<string, unknown>,
  ) {
    const iso = now.toISOString().replace('Z', '0000Z');
    const body = sorted({
      BusinessEventId: businessEventId,
      BusinessEventLegalEntity: legalEntity.toUpperCase(),
      ContextRecordSubject: '',
      ControlNumber: '__CONTROL_NUMBER__',
      EventId: randomUUID().toUpperCase(),
      EventTime: wcfDate(now.getTime()),
      EventTimeIso8601: iso,
      InitiatingUserAADObjectId: INITIATING_USER,
      MajorVersion: 0,
      MinorVersion: 0,
      ParentContextRecordSubjects: [],
      ...fields,
    });
    // ControlNumber is an Int64; the test event carries Int64.MinValue, which a JS number cannot hold exactly.
    const payload = JSON.stringify(body).replace('"__CONTROL_NUMBER__"', controlNumber);
    return { payload, eventId: body.EventId as string };
  }

  /** Registers an endpoint and sends it the test event (returns once the tries are over). */
  async register(url: string): Promise<DeliveryRecord> {
    if (!this.endpoints.includes(url)) this.endpoints.push(url);
    const { payload, eventId } = this.envelope(
      'BusinessEventsTestEndpointContract',
      '',
      MIN_INT64,
      new Date(),
      {},
    );
    return this.deliver(url, 'BusinessEventsTestEndpointContract', eventId, MIN_INT64, payload);
  }

  unregister(url: string): void {
    const i = this.endpoints.indexOf(url);
    if (i >= 0) this.endpoints.splice(i, 1);
  }

  salesInvoicePosted(invoice: PostedInvoice, now: Date): void {
    if (this.dropped) return;
    this.controlNumber += 1 + Math.floor(this.random() * 7);
    const controlNumber = String(this.controlNumber);
    const legalEntity = invoice.company.toUpperCase();
    const { payload, eventId } = this.envelope(
      'SalesInvoicePostedBusinessEvent',
      legalEntity,
      controlNumber,
      now,
      {
        InvoiceAccount: invoice.customerAccount,
        InvoiceAmountInAccountingCurrency: invoice.amount,
        InvoiceDate: wcfDate(Date.parse(invoice.invoiceDate)),
        InvoiceDueDate: wcfDate(Date.parse(invoice.dueDate)),
        InvoiceId: invoice.invoiceNumber,
        InvoiceTaxAmount: invoice.taxAmount,
        LegalEntity: legalEntity,
        SalesOrderId: invoice.salesOrderNumber,
      },
    );
    for (const url of this.endpoints) {
      const p = this.deliver(url, 'SalesInvoicePostedBusinessEvent', eventId, controlNumber, payload).then(
        () => undefined,
      );
      this.pending.add(p);
      void p.finally(() => this.pending.delete(p));
    }
  }

  /** Waits for every delivery in progress (tests, benchmarks). */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private async deliver(
    url: string,
    businessEventId: string,
    eventId: string,
    controlNumber: string,
    payload: string,
  ): Promise<DeliveryRecord> {
    const record: DeliveryRecord = {
      url,
      businessEventId,
      eventId,
      controlNumber,
      attempts: 0,
      delivered: false,
      payload,
    };
    this.log.push(record);
    for (let attempt = 1; attempt <= 3; attempt++) {
      record.attempts = attempt;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: payload,
          signal: AbortSignal.timeout(10_000),
        });
        record.lastStatus = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          record.delivered = true;
          this.counters.businessEventsDelivered++;
          return record;
        }
      } catch (err) {
        record.lastError = err instanceof Error ? err.message : String(err);
      }
      if (attempt < 3) await new Promise((r) => setTimeout(r, 1000 * this.timeScale));
    }
    this.counters.businessEventsFailed++;
    return record;
  }
}
