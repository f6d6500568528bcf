import { describe, expect, it } from 'vitest';
import {
  EnvelopeError,
  parseBusinessEvent,
  parseWcfDate,
  parseWcfDay,
  TEST_EVENT_ID,
} from '../../../src/flows/invoices/envelope.js';

/** A posted sales invoice as F&O sends it: keys in alphabetical order, WCF dates, upper-case company. */
const INVOICE_EVENT = `{"BusinessEventId":"SalesInvoicePostedBusinessEvent","BusinessEventLegalEntity":"USMF","ContextRecordSubject":"","ControlNumber":5637145326,"EventId":"9C091AF1-5BAF-4CA9-B0A4-94D6E59A0D1C","EventTime":"/Date(1697470966000)/","EventTimeIso8601":"2023-10-16T15:42:46.3440655Z","InitiatingUserAADObjectId":"{C600136F-6814-41D9-8642-40CA0EC4EDD4}","InvoiceAccount":"US-001","InvoiceAmountInAccountingCurrency":1500.1,"InvoiceDate":"/Date(1697414400000)/","InvoiceDueDate":"/Date(1700006400000)/","InvoiceId":"CIV-000123","InvoiceTaxAmount":0.0,"LegalEntity":"USMF","MajorVersion":0,"MinorVersion":0,"ParentContextRecordSubjects":[],"SalesOrderId":"SO-000123"}`;

/** The catalog's "Download schema" sample: empty values, a null list, the all-zero GUID. */
const SCHEMA_SAMPLE = `{"BusinessEventId":"SalesInvoicePostedBusinessEvent","BusinessEventLegalEntity":"","ContextRecordSubject":"","ControlNumber":0,"EventId":"","EventTime":"/Date(-2208988800000)/","EventTimeIso8601":"1900-01-01T00:00:00Z","InitiatingUserAADObjectId":"{00000000-0000-0000-0000-000000000000}","MajorVersion":0,"MinorVersion":0,"ParentContextRecordSubjects":null}`;

describe('business-event envelope', () => {
  it('reads a posted sales invoice: company lower case, dates as days, amounts as decimal text', () => {
    const e = parseBusinessEvent(INVOICE_EVENT);
    expect(e).toMatchObject({
      businessEventId: 'SalesInvoicePostedBusinessEvent',
      eventId: '9C091AF1-5BAF-4CA9-B0A4-94D6E59A0D1C',
      controlNumber: '5637145326',
      legalEntity: 'usmf',
      eventTime: '2023-10-16T15:42:46.344Z',
      initiatingUser: 'C600136F-6814-41D9-8642-40CA0EC4EDD4',
    });
    expect(e.invoice).toEqual({
      company: 'usmf',
      invoiceId: 'CIV-000123',
      customerAccount: 'US-001',
      salesOrderNumber: 'SO-000123',
      invoiceDate: '2023-10-16',
      dueDate: '2023-11-15',
      amountMst: '1500.1',
      taxAmountMst: '0',
    });
  });

  it('keeps every digit of an Int64 control number beyond 2^53', () => {
    const big = INVOICE_EVENT.replace('5637145326', '9223372036854775807');
    expect(parseBusinessEvent(big).controlNumber).toBe('9223372036854775807');
    const min = `{"BusinessEventId":"${TEST_EVENT_ID}","BusinessEventLegalEntity":"","ControlNumber":-9223372036854775808,"EventId":"","EventTime":"/Date(1697470966000)/"}`;
    expect(parseBusinessEvent(min).controlNumber).toBe('-9223372036854775808');
  });

  it('is not fooled by a ControlNumber inside a string value', () => {
    const tricky = INVOICE_EVENT.replace(
      '"ContextRecordSubject":""',
      '"ContextRecordSubject":"\\"ControlNumber\\":1"',
    );
    expect(parseBusinessEvent(tricky).controlNumber).toBe('5637145326');
  });

  it('reads the schema sample: empty date, null list, zero GUID and no company', () => {
    const sample = SCHEMA_SAMPLE.replace('SalesInvoicePostedBusinessEvent', TEST_EVENT_ID);
    const e = parseBusinessEvent(sample);
    expect(e).toMatchObject({
      eventId: undefined,
      legalEntity: undefined,
      eventTime: undefined,
      initiatingUser: undefined,
    });
  });

  it('refuses an invoice event without an EventId or invoice fields, and non-JSON', () => {
    expect(() => parseBusinessEvent(SCHEMA_SAMPLE)).toThrow(EnvelopeError);
    expect(() => parseBusinessEvent(INVOICE_EVENT.replace('"InvoiceId":"CIV-000123",', ''))).toThrow(
      /InvoiceId/,
    );
    expect(() => parseBusinessEvent('{"BusinessEventId":')).toThrow(/not JSON/);
    expect(() => parseBusinessEvent('{"BusinessEventId":"X","ControlNumber":1.5}')).toThrow(EnvelopeError);
  });

  it('accepts an unknown event id with a well-formed envelope', () => {
    const other = INVOICE_EVENT.replace('SalesInvoicePostedBusinessEvent', 'CustPaymentPostedBusinessEvent');
    expect(parseBusinessEvent(other)).toMatchObject({
      businessEventId: 'CustPaymentPostedBusinessEvent',
      invoice: undefined,
    });
  });

  it('reads the free-text invoice event without a sales order', () => {
    const freeText = INVOICE_EVENT.replace(
      'SalesInvoicePostedBusinessEvent',
      'CustFreeTextInvoicePostedBusinessEvent',
    ).replace(',"SalesOrderId":"SO-000123"', '');
    expect(parseBusinessEvent(freeText).invoice?.salesOrderNumber).toBeUndefined();
  });

  it('reads WCF dates, the empty one as nothing, a date-only value on its own day', () => {
    expect(parseWcfDate('/Date(-2208988800000)/')).toBeUndefined();
    expect(parseWcfDate(null)).toBeUndefined();
    expect(parseWcfDate('/Date(1697470966000+0200)/')).toBe('2023-10-16T15:42:46.000Z');
    expect(parseWcfDay('/Date(1784030400000)/')).toBe('2026-07-14');
    expect(() => parseWcfDate('2023-10-16')).toThrow(EnvelopeError);
  });
});
