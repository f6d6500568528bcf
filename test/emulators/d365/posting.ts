/**
 * Posting (what F&O does in its own UI/batch, not through OData): sales invoices and customer payments.
 * Writes SalesInvoiceHeadersV2 + SalesInvoiceV2Lines + CustInvoiceJourBiEntities + CustTransactions +
 * CustTransOpens, and reports what a SalesInvoicePostedBusinessEvent needs.
 */
import { findIn, num, pad, str } from './entities/helpers.js';
import { round } from './entities/products.js';
import { findPrice, linesOf } from './entities/sales-orders.js';
import { EMPTY_DATE, toDateOnly, toDateTime, type Row } from './entities/schema.js';
import type { Store } from './store.js';

export interface InvoiceLineInput {
  itemNumber: string;
  quantity: number;
  /** Defaults to the price agreement / item price. */
  price?: number;
  siteId?: string;
  warehouseId?: string;
}

export interface PostInvoiceInput {
  company?: string;
  /** Invoice this order (all its lines); marks it Invoiced. */
  salesOrderNumber?: string;
  /** Without an order: the customer and lines to invoice. */
  customerAccount?: string;
  lines?: InvoiceLineInput[];
  invoiceDate?: string;
  /** Due date = invoice date + this many days (default: from payment terms Net<N>, else 30). */
  dueDays?: number;
  /** Tax rate applied to line amounts (default 0). */
  taxRate?: number;
}

export interface PostedInvoice {
  company: string;
  invoiceNumber: string;
  invoiceDate: string;
  dueDate: string;
  ledgerVoucher: string;
  customerAccount: string;
  salesOrderNumber: string;
  amount: number;
  taxAmount: number;
  currencyCode: string;
}

export interface PostPaymentInput {
  company?: string;
  customerAccount: string;
  amount: number;
  /** Settle against this invoice (default: oldest open invoices of the customer). */
  invoiceNumber?: string;
  date?: string;
  paymentReference?: string;
}

export interface PostedPayment {
  company: string;
  voucher: string;
  amount: number;
  settled: Array<{ invoiceNumber: string; amount: number; fullySettled: boolean }>;
}

function dueDays(customer: Row | undefined): number {
  const m = /(\d+)/.exec(str(customer ?? {}, 'PaymentTerms'));
  return m ? Number(m[1]) : 30;
}

export function postInvoice(
  store: Store,
  input: PostInvoiceInput,
  defaultCompany: string,
  now: Date,
): PostedInvoice {
  const company = (input.company ?? defaultCompany).toLowerCase();
  return store.transaction(() => {
    const order = input.salesOrderNumber
      ? findIn(store, 'SalesOrderHeadersV2', company, 'SalesOrderNumber', input.salesOrderNumber)
      : undefined;
    if (input.salesOrderNumber && !order)
      throw new Error(`sales order ${input.salesOrderNumber} not found in ${company}`);
    const account = order
      ? str(order, 'InvoiceCustomerAccountNumber') || str(order, 'OrderingCustomerAccountNumber')
      : (input.customerAccount ?? '');
    const customer = findIn(store, 'CustomersV3', company, 'CustomerAccount', account);
    if (!customer) throw new Error(`customer ${account} not found in ${company}`);
    const invoiceDate = toDateOnly(input.invoiceDate ?? now);
    const due = new Date(Date.parse(invoiceDate) + (input.dueDays ?? dueDays(customer)) * 86_400_000);
    const dueDate = toDateOnly(due);
    const currency = order ? str(order, 'CurrencyCode') : str(customer, 'SalesCurrencyCode');
    const invoiceNumber = store.nextNumber(company, 'invoice', (n) => `CIV-${pad(n, 6)}`);
    const ledgerVoucher = store.nextNumber(company, 'arVoucher', (n) => `ARI-${pad(n, 6)}`);
    const taxRate = input.taxRate ?? 0;

    const sourceLines: Array<{
      item: string;
      qty: number;
      price: number;
      amount: number;
      site: string;
      warehouse: string;
      unit: string;
    }> = [];
    if (order) {
      for (const l of linesOf({ store }, order)) {
        sourceLines.push({
          item: str(l, 'ItemNumber'),
          qty: num(l, 'OrderedSalesQuantity'),
          price: num(l, 'SalesPrice'),
          amount: num(l, 'LineAmount'),
          site: str(l, 'ShippingSiteId'),
          warehouse: str(l, 'ShippingWarehouseId'),
          unit: str(l, 'SalesUnitSymbol'),
        });
        store.put('SalesOrderLines', { ...l, SalesOrderLineStatus: 'Invoiced' });
      }
      store.put('SalesOrderHeadersV2', {
        ...findIn(store, 'SalesOrderHeadersV2', company, 'SalesOrderNumber', str(order, 'SalesOrderNumber'))!,
        SalesOrderStatus: 'Invoiced',
        SalesOrderProcessingStatus: 'Invoiced',
      });
    } else {
      for (const l of input.lines ?? []) {
        const product = findIn(store, 'ReleasedProductsV2', company, 'ItemNumber', l.itemNumber);
        if (!product) throw new Error(`item ${l.itemNumber} not found in ${company}`);
        const price =
          l.price ??
          findPrice({ store }, company, l.itemNumber, customer, invoiceDate) ??
          num(product, 'SalesPrice');
        sourceLines.push({
          item: l.itemNumber,
          qty: l.quantity,
          price,
          amount: round(l.quantity * price, 2),
          site: l.siteId ?? str(product, '__defaultSiteId'),
          warehouse: l.warehouseId ?? str(product, '__defaultWarehouseId'),
          unit: str(product, 'SalesUnitSymbol'),
        });
      }
    }
    if (!sourceLines.length) throw new Error('an invoice needs at least one line');

    const amount = round(
      sourceLines.reduce((s, l) => s + l.amount, 0),
      2,
    );
    const taxAmount = round(amount * taxRate, 2);
    const total = round(amount + taxAmount, 2);
    const salesOrderNumber = order ? str(order, 'SalesOrderNumber') : '';
    const keys = {
      dataAreaId: company,
      InvoiceNumber: invoiceNumber,
      InvoiceDate: invoiceDate,
      LedgerVoucher: ledgerVoucher,
    };

    put(store, 'SalesInvoiceHeadersV2', {
      ...keys,
      InvoiceCustomerAccountNumber: account,
      SalesOrderNumber: salesOrderNumber,
      CurrencyCode: currency,
      TotalInvoiceAmount: total,
      TotalTaxAmount: taxAmount,
      InvoiceHeaderTaxAmount: 0,
      PaymentTermsName: str(customer, 'PaymentTerms'),
      CustomersOrderReference: str(order ?? {}, 'CustomersOrderReference'),
      DeliveryModeCode: str(order ?? {}, 'DeliveryModeCode'),
      InvoiceAddressStreet: str(customer, 'AddressStreet'),
      InvoiceAddressCity: str(customer, 'AddressCity'),
      InvoiceAddressState: str(customer, 'AddressState'),
      InvoiceAddressZipCode: str(customer, 'AddressZipCode'),
      InvoiceAddressCountryRegionId: str(customer, 'AddressCountryRegionId'),
      InvoiceAddressCountryRegionISOCode: str(customer, 'AddressCountryRegionISOCode'),
    });
    sourceLines.forEach((l, i) => {
      const product = findIn(store, 'ReleasedProductsV2', company, 'ItemNumber', l.item);
      put(store, 'SalesInvoiceV2Lines', {
        ...keys,
        LineCreationSequenceNumber: i + 1,
        ProductNumber: l.item,
        ProductName: str(product ?? {}, 'SearchName'),
        ProductDescription: str(product ?? {}, 'SearchName'),
        InvoicedQuantity: l.qty,
        SalesPrice: l.price,
        LineAmount: l.amount,
        SalesUnitSymbol: l.unit,
        CurrencyCode: currency,
        LineTotalTaxAmount: round(l.amount * taxRate, 2),
        InventorySiteId: l.site,
        InventoryWarehouseId: l.warehouse,
        ConfirmedShippingDate: invoiceDate,
      });
      // Shipping the goods reduces physical on-hand where the row exists.
      const onHand = store
        .table('WarehousesOnHandV2')
        .where('ItemNumber', l.item)
        .find(
          (r) =>
            r.dataAreaId === company &&
            r.InventorySiteId === l.site &&
            r.InventoryWarehouseId === l.warehouse,
        );
      if (onHand) {
        const qty = round(num(onHand, 'OnHandQuantity') - l.qty);
        store.put('WarehousesOnHandV2', {
          ...onHand,
          OnHandQuantity: qty,
          AvailableOnHandQuantity: round(qty - num(onHand, 'ReservedOnHandQuantity')),
          TotalAvailableQuantity: round(
            qty -
              num(onHand, 'ReservedOnHandQuantity') +
              num(onHand, 'OrderedQuantity') -
              num(onHand, 'OnOrderQuantity'),
          ),
        });
      }
    });
    const sourceKey = store.newRecId();
    put(store, 'CustInvoiceJourBiEntities', {
      dataAreaId: company,
      SourceKey: sourceKey,
      InvoiceId: invoiceNumber,
      InvoiceAccount: account,
      OrderAccount: str(order ?? {}, 'OrderingCustomerAccountNumber') || account,
      SalesId: salesOrderNumber,
      InvoiceDate: invoiceDate,
      DueDate: dueDate,
      DocumentDate: invoiceDate,
      InvoiceAmount: total,
      InvoiceAmountMST: total,
      SumTax: taxAmount,
      SumTaxMST: taxAmount,
      SalesBalance: amount,
      SalesBalanceMST: amount,
      CurrencyCode: currency,
      CustGroup: str(customer, 'CustomerGroupId'),
      Qty: sourceLines.reduce((s, l) => s + l.qty, 0),
      LedgerVoucher: ledgerVoucher,
      Payment: str(customer, 'PaymentTerms'),
      PostingProfile: 'GEN',
      InvoicingName: str(customer, 'OrganizationName'),
      DeliveryName: str(customer, 'OrganizationName'),
      LanguageId: str(customer, 'LanguageId'),
      CustomerRef: str(order ?? {}, 'CustomersOrderReference'),
      SalesType: 'Sales',
      CreatedOn: toDateTime(now),
      SysModifiedDateTime: toDateTime(now),
      SysRecVersion: 1,
    });
    const transRecId = store.newRecId();
    put(store, 'CustTransactions', {
      dataAreaId: company,
      SysRecId: transRecId,
      AccountNum: account,
      Invoice: invoiceNumber,
      Voucher: ledgerVoucher,
      TransDate: invoiceDate,
      DueDate: dueDate,
      DocumentDate: invoiceDate,
      DocumentNum: invoiceNumber,
      AmountCur: total,
      AmountMST: total,
      CurrencyCode: currency,
      Closed: EMPTY_DATE,
      TransType: 'Sales',
      Txt: `Invoice ${invoiceNumber}`,
      PaymTermId: str(customer, 'PaymentTerms'),
      PostingProfile: 'GEN',
      OrderAccount: account,
      ExchRate: 100,
      Approved: 'Yes',
    });
    put(store, 'CustTransOpens', {
      dataAreaId: company,
      SysRecId: store.newRecId(),
      AccountNum: account,
      AmountCur: total,
      AmountMST: total,
      DueDate: dueDate,
      TransDate: invoiceDate,
      RefRecId: transRecId,
    });
    return {
      company,
      invoiceNumber,
      invoiceDate,
      dueDate,
      ledgerVoucher,
      customerAccount: account,
      salesOrderNumber,
      amount: total,
      taxAmount,
      currencyCode: currency,
    };
  });
}

function put(store: Store, set: string, values: Row): Row {
  return store.put(set, store.materialise(store.table(set).def, values));
}

export function postPayment(
  store: Store,
  input: PostPaymentInput,
  defaultCompany: string,
  now: Date,
): PostedPayment {
  const company = (input.company ?? defaultCompany).toLowerCase();
  return store.transaction(() => {
    const customer = findIn(store, 'CustomersV3', company, 'CustomerAccount', input.customerAccount);
    if (!customer) throw new Error(`customer ${input.customerAccount} not found in ${company}`);
    if (!(input.amount > 0)) throw new Error('payment amount must be positive');
    const date = toDateOnly(input.date ?? now);
    const voucher = store.nextNumber(company, 'payVoucher', (n) => `ARP-${pad(n, 6)}`);
    let remaining = input.amount;
    const settled: PostedPayment['settled'] = [];
    const invoices = store
      .table('CustTransactions')
      .where('AccountNum', input.customerAccount)
      .filter(
        (t) =>
          t.dataAreaId === company &&
          t.TransType === 'Sales' &&
          num(t, 'AmountCur') > num(t, 'SettleAmountCur'),
      )
      .filter(
        (t) => !input.invoiceNumber || str(t, 'Invoice').toLowerCase() === input.invoiceNumber.toLowerCase(),
      )
      .sort((a, b) => str(a, 'DueDate').localeCompare(str(b, 'DueDate')));
    for (const trans of invoices) {
      if (remaining <= 0) break;
      const open = round(num(trans, 'AmountCur') - num(trans, 'SettleAmountCur'), 2);
      const take = round(Math.min(open, remaining), 2);
      remaining = round(remaining - take, 2);
      const settle = round(num(trans, 'SettleAmountCur') + take, 2);
      const full = settle >= num(trans, 'AmountCur');
      store.put('CustTransactions', {
        ...trans,
        SettleAmountCur: settle,
        SettleAmountMST: settle,
        LastSettleDate: date,
        LastSettleVoucher: voucher,
        LastSettleAccountNum: input.customerAccount,
        Closed: full ? date : EMPTY_DATE,
      });
      const openRow = store
        .table('CustTransOpens')
        .where('RefRecId', trans.SysRecId)
        .find((o) => o.dataAreaId === company);
      if (openRow) {
        if (full) store.delete('CustTransOpens', openRow);
        else
          store.put('CustTransOpens', {
            ...openRow,
            AmountCur: round(open - take, 2),
            AmountMST: round(open - take, 2),
          });
      }
      settled.push({ invoiceNumber: str(trans, 'Invoice'), amount: take, fullySettled: full });
    }
    const paymentRecId = store.newRecId();
    put(store, 'CustTransactions', {
      dataAreaId: company,
      SysRecId: paymentRecId,
      AccountNum: input.customerAccount,
      Voucher: voucher,
      TransDate: date,
      DocumentDate: date,
      AmountCur: -input.amount,
      AmountMST: -input.amount,
      SettleAmountCur: -(input.amount - remaining),
      SettleAmountMST: -(input.amount - remaining),
      CurrencyCode: str(customer, 'SalesCurrencyCode'),
      Closed: remaining <= 0 ? date : EMPTY_DATE,
      TransType: 'Payment',
      PaymReference: input.paymentReference ?? '',
      Txt: 'Customer payment',
      PaymMode: str(customer, 'PaymentMethod'),
      PostingProfile: 'GEN',
      LastSettleDate: remaining <= 0 ? date : EMPTY_DATE,
      LastSettleVoucher: settled.length ? voucher : '',
      Approved: 'Yes',
    });
    if (remaining > 0) {
      put(store, 'CustTransOpens', {
        dataAreaId: company,
        SysRecId: store.newRecId(),
        AccountNum: input.customerAccount,
        AmountCur: -remaining,
        AmountMST: -remaining,
        DueDate: date,
        TransDate: date,
        RefRecId: paymentRecId,
      });
    }
    return { company, voucher, amount: input.amount, settled };
  });
}
