import { describe, expect, it } from 'vitest';
import { calendarDay, invoicePayment, type CustTransaction } from '../../src/flows/payments/status.js';

const EMPTY = '1900-01-01T12:00:00Z';
const t = (over: Partial<CustTransaction>): CustTransaction => ({
  dataAreaId: 'usmf',
  AccountNum: 'US-001',
  Invoice: 'CIV-000001',
  AmountCur: 200,
  SettleAmountCur: 0,
  CurrencyCode: 'USD',
  DueDate: '2026-12-03T12:00:00Z',
  Closed: EMPTY,
  LastSettleDate: EMPTY,
  ...over,
});

describe('payment status rules', () => {
  it('decides overdue on the company calendar day, not the server day', () => {
    // 02:00 UTC on 4 December is still 3 December in Chicago.
    const now = new Date('2026-12-04T02:00:00Z');
    expect(calendarDay(now, 'UTC')).toBe('2026-12-04');
    expect(calendarDay(now, 'America/Chicago')).toBe('2026-12-03');
    expect(invoicePayment(t({}), calendarDay(now, 'UTC')).status).toBe('Overdue');
    expect(invoicePayment(t({}), calendarDay(now, 'America/Chicago')).status).toBe('Open');
  });

  it('Open, Partially paid, Paid, and a partly paid invoice past due is Overdue', () => {
    const today = '2026-11-01';
    expect(invoicePayment(t({}), today)).toEqual({
      status: 'Open',
      amountRemaining: 200,
      amountPaid: 0,
      lastPaymentDate: null,
    });
    expect(
      invoicePayment(t({ SettleAmountCur: 50.1, LastSettleDate: '2026-10-30T12:00:00Z' }), today),
    ).toEqual({
      status: 'Partially paid',
      amountRemaining: 149.9,
      amountPaid: 50.1,
      lastPaymentDate: '2026-10-30',
    });
    expect(invoicePayment(t({ SettleAmountCur: 200, Closed: '2026-10-31T12:00:00Z' }), today).status).toBe(
      'Paid',
    );
    expect(invoicePayment(t({ SettleAmountCur: 50 }), '2026-12-10').status).toBe('Overdue');
  });

  it('a credit note is never overdue; settled, it is Paid', () => {
    expect(invoicePayment(t({ AmountCur: -80 }), '2027-01-01')).toMatchObject({
      status: 'Open',
      amountRemaining: -80,
    });
    expect(
      invoicePayment(
        t({ AmountCur: -80, SettleAmountCur: -80, Closed: '2026-12-01T12:00:00Z' }),
        '2027-01-01',
      ).status,
    ).toBe('Paid');
  });
});
