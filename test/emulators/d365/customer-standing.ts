/**
 * What the F&O UI does to a customer's standing, for the payment status flow: put a customer on
 * hold / change its credit limit (`CustomersV3.OnHoldStatus`, enum `CustVendorBlocked`;
 * `CreditLimit`), settle a payment made in another currency, and settle a credit note against
 * an invoice. Credit notes themselves are invoices with negative quantities (`postInvoice`).
 */
import { findIn, num, pad, str } from './entities/helpers.js';
import { round } from './entities/products.js';
import { EMPTY_DATE, toDateOnly, type Row } from './entities/schema.js';
import { postPayment, type PostedPayment, type PostPaymentInput } from './posting.js';
import type { Store } from './store.js';

/** `CustVendorBlocked` member names, as F&O serialises them. */
export const ON_HOLD_STATUSES = [
  'No',
  'Invoice',
  'All',
  'Payment',
  'Requisition',
  'Never',
  'PurchOrder',
] as const;
export type OnHoldStatus = (typeof ON_HOLD_STATUSES)[number];

export interface SetStandingInput {
  company?: string;
  customerAccount: string;
  onHoldStatus?: OnHoldStatus;
  creditLimit?: number;
}

export function setCustomerStanding(store: Store, input: SetStandingInput, defaultCompany: string): Row {
  const company = (input.company ?? defaultCompany).toLowerCase();
  const customer = findIn(store, 'CustomersV3', company, 'CustomerAccount', input.customerAccount);
  if (!customer) throw new Error(`customer ${input.customerAccount} not found in ${company}`);
  if (input.onHoldStatus !== undefined && !ON_HOLD_STATUSES.includes(input.onHoldStatus))
    throw new Error(`OnHoldStatus must be one of ${ON_HOLD_STATUSES.join(', ')}`);
  if (input.creditLimit !== undefined && !(input.creditLimit >= 0))
    throw new Error('creditLimit must be zero or positive');
  return store.put('CustomersV3', {
    ...customer,
    ...(input.onHoldStatus !== undefined ? { OnHoldStatus: input.onHoldStatus } : {}),
    ...(input.creditLimit !== undefined ? { CreditLimit: input.creditLimit } : {}),
  });
}

export interface ForeignPaymentInput extends PostPaymentInput {
  /** The currency the customer paid in (`EUR`); `amount` is in it. */
  currencyCode: string;
  /** Units of the invoice currency per unit of the payment currency (1 EUR = 1.1 USD → 1.1). */
  exchangeRate: number;
}

/**
 * A payment in another currency: the invoice is settled in its own currency (`SettleAmountCur`
 * = amount × rate), the payment transaction keeps the currency and amount the customer paid.
 */
export function postForeignPayment(
  store: Store,
  input: ForeignPaymentInput,
  defaultCompany: string,
  now: Date,
): PostedPayment {
  if (!(input.exchangeRate > 0)) throw new Error('exchangeRate must be positive');
  const settled = postPayment(
    store,
    { ...input, amount: round(input.amount * input.exchangeRate, 2) },
    defaultCompany,
    now,
  );
  const company = settled.company;
  const payment = store
    .table('CustTransactions')
    .where('Voucher', settled.voucher)
    .find((t) => t.dataAreaId === company && t.TransType === 'Payment');
  if (payment)
    store.put('CustTransactions', {
      ...payment,
      CurrencyCode: input.currencyCode,
      AmountCur: -input.amount,
      SettleAmountCur: round(num(payment, 'SettleAmountCur') / input.exchangeRate, 2),
      ExchRate: round(input.exchangeRate * 100, 6),
    });
  return { ...settled, amount: input.amount };
}

export interface SettleCreditNoteInput {
  company?: string;
  creditNote: string;
  invoice: string;
  date?: string;
}

/** Settles a credit note (negative invoice) against an open invoice of the same customer. */
export function settleCreditNote(
  store: Store,
  input: SettleCreditNoteInput,
  defaultCompany: string,
  now: Date,
): { company: string; voucher: string; amount: number } {
  const company = (input.company ?? defaultCompany).toLowerCase();
  return store.transaction(() => {
    const find = (n: string) =>
      store
        .table('CustTransactions')
        .where('Invoice', n)
        .find((t) => t.dataAreaId === company && t.TransType === 'Sales');
    const cn = find(input.creditNote);
    const inv = find(input.invoice);
    if (!cn || num(cn, 'AmountCur') >= 0)
      throw new Error(`credit note ${input.creditNote} not found in ${company}`);
    if (!inv || num(inv, 'AmountCur') <= 0)
      throw new Error(`invoice ${input.invoice} not found in ${company}`);
    if (str(cn, 'AccountNum') !== str(inv, 'AccountNum'))
      throw new Error('credit note and invoice belong to different customers');
    const date = toDateOnly(input.date ?? now);
    const voucher = store.nextNumber(company, 'settleVoucher', (n) => `ARS-${pad(n, 6)}`);
    const amount = round(
      Math.min(
        num(inv, 'AmountCur') - num(inv, 'SettleAmountCur'),
        -(num(cn, 'AmountCur') - num(cn, 'SettleAmountCur')),
      ),
      2,
    );
    if (!(amount > 0)) throw new Error('nothing left to settle');
    for (const [t, delta] of [
      [inv, amount],
      [cn, -amount],
    ] as const) {
      const settle = round(num(t, 'SettleAmountCur') + delta, 2);
      const full = settle === num(t, 'AmountCur');
      store.put('CustTransactions', {
        ...t,
        SettleAmountCur: settle,
        SettleAmountMST: settle,
        LastSettleDate: date,
        LastSettleVoucher: voucher,
        Closed: full ? date : EMPTY_DATE,
      });
      const open = store
        .table('CustTransOpens')
        .where('RefRecId', t.SysRecId)
        .find((o) => o.dataAreaId === company);
      if (open) {
        const left = round(num(t, 'AmountCur') - settle, 2);
        if (full) store.delete('CustTransOpens', open);
        else store.put('CustTransOpens', { ...open, AmountCur: left, AmountMST: left });
      }
    }
    return { company, voucher, amount };
  });
}
