/**
 * What the business-event endpoint does with a parsed event, before its 202: nothing slow.
 *
 *  - the F&O test message (sent when an endpoint is activated) → answered, nothing stored;
 *  - a posted sales-order invoice → one durable job per invoice, versioned by its
 *    `ControlNumber` (then `EventId`): a redelivered event is the same version (`duplicate`, a
 *    no-op), an event older than one already stored for that invoice is `stale` and never runs;
 *  - a posted free-text invoice → accepted and counted, not synced: F&O lists free-text invoices
 *    in `FreeTextInvoiceHeaders` (keyed by record id), not in `SalesInvoiceHeadersV2` that the job
 *    reads, so its job could only dead-letter (docs/flows.md says what it would take);
 *  - any other well-formed event → accepted and counted, logged once per event id: F&O gives up
 *    after three tries, and a refusal would only fill its error list.
 */
import { Counter } from 'prom-client';
import type { EnqueueOutcome, JobQueue } from '../../jobs/index.js';
import { createGroupCommit, padVersion } from '../../jobs/index.js';
import type { Registry } from '../../metrics.js';
import {
  FREE_TEXT_INVOICE_POSTED,
  TEST_EVENT_ID,
  type BusinessEvent,
  type InvoiceEventFields,
} from './envelope.js';

/** The job flow of one posted invoice (event or sweep). */
export const INVOICE_FLOW = 'invoice';

/** What the job carries: the event's fields, enough to read the invoice in F&O. */
export interface InvoiceJobPayload extends InvoiceEventFields {
  source: 'event' | 'sweep';
  businessEventId?: string;
  eventId?: string;
  controlNumber?: string;
}

export type EventOutcome = 'test' | 'ignored' | EnqueueOutcome;

export interface EventIntake {
  accept(event: BusinessEvent): Promise<{ outcome: EventOutcome; jobId?: string }>;
}

/** The invoice's job key: company-qualified invoice number, as the External ID. */
export function invoiceJobKey(company: string, invoiceId: string): string {
  return `${company.toUpperCase()}|${invoiceId}`;
}

/** A control number as a sortable version; below zero (never seen on a real invoice) sorts first. */
export function eventVersion(controlNumber: string, eventId: string): string {
  const n = BigInt(controlNumber);
  return `${padVersion(n < 0n ? 0n : n)}|${eventId}`;
}

const SAFE_LABEL = /^[A-Za-z0-9_]{1,80}$/;
const MAX_REMEMBERED = 200;

export function createEventIntake(opts: {
  queue: JobQueue;
  registry?: Registry;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}): EventIntake {
  const received = opts.registry
    ? new Counter({
        name: 'fobridge_business_events_total',
        help: 'F&O business events received, by event id and what was done with them',
        labelNames: ['business_event_id', 'outcome'],
        registers: [opts.registry],
      })
    : undefined;
  const seenUnknown = new Set<string>();
  // Events arriving together share one durable commit (each still answered once it is durable).
  const commits = createGroupCommit(opts.queue);

  return {
    async accept(event) {
      const label = SAFE_LABEL.test(event.businessEventId) ? event.businessEventId : 'other';
      const count = (outcome: string) => received?.inc({ business_event_id: label, outcome });
      if (event.businessEventId === TEST_EVENT_ID) {
        count('test');
        return { outcome: 'test' };
      }
      const freeText = event.businessEventId === FREE_TEXT_INVOICE_POSTED;
      if (!event.invoice || !event.eventId || freeText) {
        count('ignored');
        if (!seenUnknown.has(label) && seenUnknown.size < MAX_REMEMBERED) {
          seenUnknown.add(label);
          opts.log.warn(
            { businessEventId: label, legalEntity: event.legalEntity },
            freeText
              ? 'free-text invoice event: accepted and counted, not synced (F&O keeps free-text invoices in FreeTextInvoiceHeaders, which flow 6 does not read; docs/flows.md)'
              : 'business event with no flow: accepted and counted (logged once per event id)',
          );
        }
        return { outcome: 'ignored' };
      }
      const inv = event.invoice;
      const payload: InvoiceJobPayload = {
        ...inv,
        source: 'event',
        businessEventId: event.businessEventId,
        eventId: event.eventId,
        controlNumber: event.controlNumber,
      };
      const { job, outcome } = await commits.enqueue({
        flow: INVOICE_FLOW,
        key: invoiceJobKey(inv.company, inv.invoiceId),
        version: eventVersion(event.controlNumber, event.eventId),
        payload,
      });
      count(outcome);
      return { outcome, jobId: job.id };
    },
  };
}
