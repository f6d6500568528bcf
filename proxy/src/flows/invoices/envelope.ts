/**
 * The F&O business-event envelope, read once from the raw request text (the only parser of it).
 *
 * What F&O sends (every payload): keys in alphabetical order, `EventTime` as a WCF date
 * `/Date(ms)/` beside `EventTimeIso8601`, the empty date `/Date(-2208988800000)/` (1900-01-01),
 * `BusinessEventLegalEntity` in upper case, `InitiatingUserAADObjectId` as a braced GUID, an
 * Int64 `ControlNumber` (upward-increasing with gaps; the test message carries Int64.MinValue),
 * and `ParentContextRecordSubjects` as `[]` or `null`. Then the contract's own fields; for the
 * invoice events the amounts are in the accounting currency (no currency code is sent).
 *
 * `ControlNumber` can exceed 2^53, which a JSON number read by `JSON.parse` would round, so its
 * digits are taken from the text itself (and checked against the parsed value).
 */
import { z } from 'zod';
import { DomainError } from '../../domain-error.js';
import { toDecimal } from '../../mapping/decimals.js';

export const TEST_EVENT_ID = 'BusinessEventsTestEndpointContract';
export const SALES_INVOICE_POSTED = 'SalesInvoicePostedBusinessEvent';
export const FREE_TEXT_INVOICE_POSTED = 'CustFreeTextInvoicePostedBusinessEvent';

/** `/Date(-2208988800000)/`: how F&O writes an empty date (1900-01-01T00:00:00Z). */
export const EMPTY_WCF_DATE_MS = -2208988800000;

const WCF_DATE = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/;
const INT64 = /^-?\d{1,19}$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A WCF date as an ISO instant; undefined for the empty date (or a null). */
export function parseWcfDate(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const m = WCF_DATE.exec(value);
  if (!m) throw new EnvelopeError(`not a /Date(ms)/ value: ${value.slice(0, 40)}`);
  const ms = Number(m[1]);
  if (ms <= EMPTY_WCF_DATE_MS) return undefined;
  return new Date(ms).toISOString();
}

/**
 * A WCF date of a date-only field as the calendar date (`YYYY-MM-DD`). F&O renders a date-only
 * value at midnight or noon UTC, so the UTC calendar day is the F&O day whatever the time zones.
 */
export function parseWcfDay(value: string | null | undefined): string | undefined {
  return parseWcfDate(value)?.slice(0, 10);
}

/** A GUID without braces, upper case; undefined for the all-zero GUID, `""` or null. */
export function normaliseGuid(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const bare = value.replace(/^\{(.*)\}$/, '$1').toUpperCase();
  if (!/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/.test(bare))
    throw new EnvelopeError('not a GUID');
  return /^[0-]+$/.test(bare) ? undefined : bare;
}

/** A body that is not a well-formed business event: F&O's retries would not help (400). */
export class EnvelopeError extends DomainError {
  readonly code = 'INVALID_BUSINESS_EVENT';
  override readonly name = 'EnvelopeError';
}

const envelopeSchema = z
  .object({
    BusinessEventId: z.string().min(1).max(200),
    BusinessEventLegalEntity: z.string().max(8).nullish(),
    ContextRecordSubject: z.string().nullish(),
    // Not `.int()`: zod caps that at 2^53; the exact digits come from the text below.
    ControlNumber: z.number().refine(Number.isInteger, 'must be an integer'),
    EventId: z.string().max(64).nullish(),
    EventTime: z.string().nullish(),
    EventTimeIso8601: z.string().nullish(),
    InitiatingUserAADObjectId: z.string().nullish(),
    MajorVersion: z.number().int().nullish(),
    MinorVersion: z.number().int().nullish(),
    ParentContextRecordSubjects: z.array(z.unknown()).nullish(),
  })
  .loose();

const invoiceFieldsSchema = z
  .object({
    InvoiceAccount: z.string().min(1).max(20),
    InvoiceId: z.string().min(1).max(20),
    SalesOrderId: z.string().max(20).nullish(),
    InvoiceDate: z.string().nullish(),
    InvoiceDueDate: z.string().nullish(),
    InvoiceAmountInAccountingCurrency: z.number().nullish(),
    InvoiceTaxAmount: z.number().nullish(),
    LegalEntity: z.string().max(8).nullish(),
  })
  .loose();

/** The fields of a posted-invoice event (sales order or free text). */
export interface InvoiceEventFields {
  /** dataAreaId, lower case. */
  company: string;
  invoiceId: string;
  customerAccount: string;
  salesOrderNumber: string | undefined;
  invoiceDate: string | undefined;
  dueDate: string | undefined;
  /** Decimal text, accounting currency. */
  amountMst: string | undefined;
  taxAmountMst: string | undefined;
}

export interface BusinessEvent {
  businessEventId: string;
  /** Upper-case GUID without braces; undefined only on the test message and schema samples. */
  eventId: string | undefined;
  /** The Int64 as decimal text, exact. */
  controlNumber: string;
  /** dataAreaId, lower case; undefined when blank. */
  legalEntity: string | undefined;
  eventTime: string | undefined;
  majorVersion: number;
  minorVersion: number;
  initiatingUser: string | undefined;
  /** Set for the two invoice events. */
  invoice: InvoiceEventFields | undefined;
}

/** The exact digits of the top-level `ControlNumber`, read from the JSON text. */
function controlNumberDigits(text: string, parsed: number): string {
  // A key is the only place an unescaped `"ControlNumber"` followed by `:` can stand in JSON.
  const matches = [...text.matchAll(/(?<!\\)"ControlNumber"\s*:\s*(-?\d+)(?=\s*[,}])/g)];
  const exact = matches.map((m) => m[1] as string).find((d) => Number(d) === parsed);
  if (exact === undefined || !INT64.test(exact)) throw new EnvelopeError('ControlNumber is not an Int64');
  const big = BigInt(exact);
  if (big < INT64_MIN || big > INT64_MAX) throw new EnvelopeError('ControlNumber is not an Int64');
  return big.toString();
}

function decimalText(value: number | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return toDecimal(value)?.toFixed();
}

/** Parses and validates one envelope; throws `EnvelopeError` with a reason fit for the caller. */
export function parseBusinessEvent(text: string): BusinessEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new EnvelopeError('the body is not JSON');
  }
  const env = envelopeSchema.safeParse(raw);
  if (!env.success) throw new EnvelopeError(`not a business event envelope: ${firstIssue(env.error)}`);
  const e = env.data;
  const controlNumber = controlNumberDigits(text, e.ControlNumber);
  const legalEntity = e.BusinessEventLegalEntity ? e.BusinessEventLegalEntity.toLowerCase() : undefined;
  const event: BusinessEvent = {
    businessEventId: e.BusinessEventId,
    eventId: normaliseGuid(e.EventId),
    controlNumber,
    legalEntity,
    eventTime: parseIsoOrWcf(e.EventTimeIso8601, e.EventTime),
    majorVersion: e.MajorVersion ?? 0,
    minorVersion: e.MinorVersion ?? 0,
    initiatingUser: normaliseGuid(e.InitiatingUserAADObjectId),
    invoice: undefined,
  };
  if (event.businessEventId === TEST_EVENT_ID) return event;
  if (!event.eventId) throw new EnvelopeError('EventId is missing');
  if (isInvoiceEvent(event.businessEventId)) event.invoice = invoiceFields(raw, legalEntity);
  return event;
}

export function isInvoiceEvent(businessEventId: string): boolean {
  return businessEventId === SALES_INVOICE_POSTED || businessEventId === FREE_TEXT_INVOICE_POSTED;
}

function invoiceFields(raw: unknown, envelopeLegalEntity: string | undefined): InvoiceEventFields {
  const f = invoiceFieldsSchema.safeParse(raw);
  if (!f.success) throw new EnvelopeError(`not an invoice event: ${firstIssue(f.error)}`);
  const d = f.data;
  const company = (d.LegalEntity || envelopeLegalEntity || '').toLowerCase();
  if (!company) throw new EnvelopeError('the invoice event names no legal entity');
  return {
    company,
    invoiceId: d.InvoiceId,
    customerAccount: d.InvoiceAccount,
    salesOrderNumber: d.SalesOrderId || undefined,
    invoiceDate: parseWcfDay(d.InvoiceDate),
    dueDate: parseWcfDay(d.InvoiceDueDate),
    amountMst: decimalText(d.InvoiceAmountInAccountingCurrency),
    taxAmountMst: decimalText(d.InvoiceTaxAmount),
  };
}

function parseIsoOrWcf(iso: string | null | undefined, wcf: string | null | undefined): string | undefined {
  if (iso && !iso.startsWith('1900-01-01')) {
    const ms = Date.parse(iso);
    if (Number.isFinite(ms)) return new Date(ms).toISOString();
  }
  return parseWcfDate(wcf);
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid';
}
