/**
 * The emulator's payment-status controls, read back over OData as a client sees them: a hold by
 * its `CustVendorBlocked` name, a payment in another currency, a credit note settled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { D365Emulator } from './index.js';
import { odataClient, startTestEmulator, type ODataClient } from './test-helpers.js';

let emu: D365Emulator;
let od: ODataClient;
let customer: string;
let item: string;
const company = 'usmf';

beforeAll(async () => {
  emu = await startTestEmulator();
  od = await odataClient(emu);
  customer = String(emu.control.rows('CustomersV3', { company })[0]!.CustomerAccount);
  item = String(emu.control.rows('ReleasedProductsV2', { company })[0]!.ItemNumber);
});
afterAll(async () => emu?.close());

const trans = async (invoice: string) =>
  (
    await od.get(
      `CustTransactions?cross-company=true&$filter=dataAreaId eq '${company}' and Invoice eq '${invoice}'`,
    )
  ).json.value[0];

describe('payment status controls', () => {
  it('puts a customer on hold with a CustVendorBlocked name and rejects other values', async () => {
    emu.control.setCustomerStanding({
      company,
      customerAccount: customer,
      onHoldStatus: 'Invoice',
      creditLimit: 1234.5,
    });
    const res = await od.get(
      `CustomersV3(dataAreaId='${company}',CustomerAccount='${customer}')?cross-company=true&$select=OnHoldStatus,CreditLimit`,
    );
    expect(res.json).toMatchObject({ OnHoldStatus: 'Invoice', CreditLimit: 1234.5 });
    expect(() =>
      emu.control.setCustomerStanding({ company, customerAccount: customer, onHoldStatus: 'Yes' as never }),
    ).toThrow(/OnHoldStatus must be one of No, Invoice, All/);
  });

  it('a payment in another currency settles the invoice in its currency; the payment keeps its own', async () => {
    const inv = emu.control.postInvoice({
      company,
      customerAccount: customer,
      lines: [{ itemNumber: item, quantity: 1, price: 100 }],
    });
    const pay = emu.control.postForeignPayment({
      company,
      customerAccount: customer,
      invoiceNumber: inv.invoiceNumber,
      amount: 20,
      currencyCode: 'EUR',
      exchangeRate: 1.25,
    });
    expect(await trans(inv.invoiceNumber)).toMatchObject({
      AmountCur: 100,
      SettleAmountCur: 25,
      Closed: '1900-01-01T12:00:00Z',
    });
    const payment = (
      await od.get(
        `CustTransactions?cross-company=true&$filter=dataAreaId eq '${company}' and Voucher eq '${pay.voucher}'`,
      )
    ).json.value[0];
    expect(payment).toMatchObject({
      TransType: 'Payment',
      CurrencyCode: 'EUR',
      AmountCur: -20,
      SettleAmountCur: -20,
    });
  });

  it('a credit note settled against an invoice closes the credit note and reduces the open item', async () => {
    const inv = emu.control.postInvoice({
      company,
      customerAccount: customer,
      lines: [{ itemNumber: item, quantity: 3, price: 10 }],
    });
    const cn = emu.control.postInvoice({
      company,
      customerAccount: customer,
      lines: [{ itemNumber: item, quantity: -1, price: 10 }],
    });
    emu.control.settleCreditNote({ company, creditNote: cn.invoiceNumber, invoice: inv.invoiceNumber });
    const invoice = await trans(inv.invoiceNumber);
    expect(invoice).toMatchObject({ AmountCur: 30, SettleAmountCur: 10 });
    expect(await trans(cn.invoiceNumber)).toMatchObject({ AmountCur: -10, SettleAmountCur: -10 });
    expect((await trans(cn.invoiceNumber)).Closed).not.toBe('1900-01-01T12:00:00Z');
    const open = (
      await od.get(
        `CustTransOpens?cross-company=true&$filter=dataAreaId eq '${company}' and RefRecId eq ${invoice.SysRecId}`,
      )
    ).json.value[0];
    expect(open).toMatchObject({ AmountCur: 20 });
  });
});
