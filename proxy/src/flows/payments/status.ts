/**
 * Payment status rules of an invoice, from its `CustTransactions` row: pure functions, no I/O.
 *
 * - Paid: F&O closed the transaction (`Closed` is a real date) or nothing remains;
 * - Overdue: money is still owed (remaining > 0) and the due date is before the company's calendar
 *   day (its own time zone, never the server's);
 * - Partially paid: something was settled, something remains, not yet due;
 * - Open: nothing settled, not yet due.
 * A credit note (negative amount) is never overdue: the money is owed to the customer.
 */
export type PaymentStatus = 'Open' | 'Partially paid' | 'Paid' | 'Overdue';

/** What the flow reads of one `CustTransactions` row. */
export interface CustTransaction {
  dataAreaId: string;
  AccountNum: string;
  Invoice: string;
  AmountCur: number;
  SettleAmountCur: number;
  CurrencyCode: string;
  DueDate: string;
  Closed: string;
  LastSettleDate: string;
}

export interface InvoicePayment {
  status: PaymentStatus;
  /** Invoice currency, 2 decimals. */
  amountRemaining: number;
  amountPaid: number;
  /** `YYYY-MM-DD`, or null when nothing was settled. */
  lastPaymentDate: string | null;
}

/** F&O writes 1900-01-01 for "no date". */
export function fnoDate(value: string | null | undefined): string | null {
  if (!value) return null;
  const day = value.slice(0, 10);
  return day <= '1900-01-01' ? null : day;
}

/** Amounts to cents, as F&O shows them (avoids 0.1 + 0.2 artefacts). */
export function cents(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The calendar day (`YYYY-MM-DD`) at `now` in `timeZone` (an IANA name, e.g. `America/Chicago`). */
export function calendarDay(now: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

export function invoicePayment(t: CustTransaction, today: string): InvoicePayment {
  const amountRemaining = cents(t.AmountCur - t.SettleAmountCur);
  const amountPaid = cents(t.SettleAmountCur);
  const lastPaymentDate = fnoDate(t.LastSettleDate);
  const due = fnoDate(t.DueDate);
  let status: PaymentStatus;
  if (fnoDate(t.Closed) !== null || amountRemaining === 0) status = 'Paid';
  else if (amountRemaining > 0 && due !== null && due < today) status = 'Overdue';
  else if (amountPaid !== 0) status = 'Partially paid';
  else status = 'Open';
  return { status, amountRemaining, amountPaid, lastPaymentDate };
}
