import { describe, expect, it } from 'vitest';
import { MAX_ORDER_LINES, mapOpportunityToSalesOrder } from '../../src/mapping/index.js';
import {
  OPPORTUNITY_ID,
  config,
  expectOk,
  expectRejected,
  lineItem,
  opportunity,
  parentAccount,
} from './helpers.js';

const cfg = config();
const map = (fields: Record<string, unknown> = {}, lines?: Record<string, unknown>[], c = cfg) =>
  mapOpportunityToSalesOrder(opportunity(fields, lines), c);

describe('mapOpportunityToSalesOrder', () => {
  it('builds the header and lines for one changeset', () => {
    const a = lineItem({ ServiceDate: '2026-09-15' });
    const b = lineItem({
      Product2: { Name: 'Standard Speaker', ProductCode: 'SPK-STD', D365_Item_Number__c: 'D0003' },
      Quantity: 40,
      UnitPrice: 189,
      Discount: 5,
    });
    const r = expectOk(map({ Amount: 11076.5 }, [a, b]));
    expect(r.entity.header).toEqual({
      dataAreaId: 'usmf',
      OrderingCustomerAccountNumber: 'US-027',
      InvoiceCustomerAccountNumber: 'US-027',
      CurrencyCode: 'USD',
      CustomersOrderReference: OPPORTUNITY_ID,
      RequestedShippingDate: '2026-08-21T12:00:00Z',
      RequestedReceiptDate: '2026-08-21T12:00:00Z',
      DefaultShippingSiteId: '1',
      DefaultShippingWarehouseId: '11',
      LanguageId: 'en-US',
    });
    expect(r.entity.lines).toEqual([
      {
        dataAreaId: 'usmf',
        ItemNumber: 'D0001',
        OrderedSalesQuantity: 10,
        SalesPrice: 389.45,
        CurrencyCode: 'USD',
        ShippingSiteId: '1',
        ShippingWarehouseId: '11',
        RequestedShippingDate: '2026-09-15T12:00:00Z',
        RequestedReceiptDate: '2026-09-15T12:00:00Z',
      },
      {
        dataAreaId: 'usmf',
        ItemNumber: 'D0003',
        OrderedSalesQuantity: 40,
        SalesPrice: 189,
        LineDiscountPercentage: 5,
        CurrencyCode: 'USD',
        ShippingSiteId: '1',
        ShippingWarehouseId: '11',
      },
    ]);
    expect(r.identity).toMatchObject({
      salesforceId: OPPORTUNITY_ID,
      company: 'usmf',
      customerAccount: 'US-027',
      correlation: { dataAreaId: 'usmf', field: 'CustomersOrderReference', value: OPPORTUNITY_ID },
      lineIds: [a.Id, b.Id],
      expectedTotal: '11076.50',
    });
    expect(r.warnings).toEqual([]);
  });

  it('waits (transient) for the Account flow when the customer number is missing', () => {
    const r = expectRejected(
      map({ Account: parentAccount({ D365_Customer_Number__c: '' }) }),
      'PARENT_NOT_SYNCED',
      'Account.D365_Customer_Number__c',
    );
    expect(r.transient).toBe(true);
  });

  it('rejects an Opportunity without products, or with an incomplete product list', () => {
    expectRejected(map({}, []), 'NO_LINE_ITEMS', 'OpportunityLineItems');
    expectRejected(map({ OpportunityLineItems: undefined }), 'NO_LINE_ITEMS');
    expectRejected(
      map({ OpportunityLineItems: { totalSize: 3, done: false, records: [lineItem()] } }),
      'INVALID_FIELD',
      'OpportunityLineItems',
    );
  });

  it('rejects more lines than one changeset takes', () => {
    const many = Array.from({ length: MAX_ORDER_LINES + 1 }, () => lineItem());
    expectRejected(map({}, many), 'TOO_MANY_LINES');
  });

  it('rejects an Opportunity that is not won', () => {
    expectRejected(map({ IsWon: false, StageName: 'Closed Lost' }), 'OPPORTUNITY_NOT_WON', 'IsWon');
  });

  it('falls back from the F&O item number to the product code, and names the line when both are missing', () => {
    const viaCode = lineItem({ Product2: { Name: 'Cable', ProductCode: 'T0005' } });
    const viaLine = lineItem({ Product2: undefined, ProductCode: 'T0006' });
    const r = expectOk(map({}, [viaCode, viaLine]));
    expect(r.entity.lines.map((l) => l.ItemNumber)).toEqual(['T0005', 'T0006']);
    const none = lineItem({ Product2: { Name: 'Mystery' } });
    const rej = expectRejected(
      map({}, [lineItem(), none]),
      'MISSING_REQUIRED_FIELD',
      'OpportunityLineItems.records[1].Product2.D365_Item_Number__c',
    );
    expect(rej.reason).toMatch(/Product 2 \(Mystery\)/);
  });

  it('applies the decimal rules to quantities, prices and discounts', () => {
    expectRejected(
      map({}, [lineItem({ Quantity: -1 })]),
      'INVALID_QUANTITY',
      'OpportunityLineItems.records[0].Quantity',
    );
    expectRejected(map({}, [lineItem({ Quantity: 0 })]), 'INVALID_QUANTITY');
    const many = expectRejected(map({}, [lineItem({ Quantity: 19.999999 })]), 'INVALID_QUANTITY');
    expect(many.reason).toMatch(/more than 2 decimal places/);
    expectRejected(
      map({}, [lineItem({ Quantity: undefined })]),
      'MISSING_REQUIRED_FIELD',
      'OpportunityLineItems.records[0].Quantity',
    );
    expectRejected(
      map({}, [lineItem({ UnitPrice: -5 })]),
      'INVALID_PRICE',
      'OpportunityLineItems.records[0].UnitPrice',
    );
    expectRejected(map({}, [lineItem({ UnitPrice: 1.1234567 })]), 'INVALID_PRICE');
    expectRejected(
      map({}, [lineItem({ Discount: 120 })]),
      'INVALID_DISCOUNT',
      'OpportunityLineItems.records[0].Discount',
    );
    expectRejected(map({}, [lineItem({ Quantity: 'lots' })]), 'INVALID_QUANTITY');

    const ok = expectOk(map({}, [lineItem({ Quantity: 0.1 + 0.2, UnitPrice: 1.123456, Discount: 12.5 })]));
    expect(ok.entity.lines[0]).toMatchObject({
      OrderedSalesQuantity: 0.3,
      SalesPrice: 1.123456,
      LineDiscountPercentage: 12.5,
    });
    expect(JSON.stringify(ok.entity.lines[0])).toContain('"OrderedSalesQuantity":0.3,');
  });

  it('rounds instead of rejecting when configured', () => {
    const c = config({ orders: { excessDecimals: 'round', quantityDecimals: 0 } });
    const r = expectOk(map({}, [lineItem({ Quantity: 2.5, UnitPrice: 10.0000005 })], c));
    expect(r.entity.lines[0]).toMatchObject({ OrderedSalesQuantity: 3, SalesPrice: 10.000001 });
  });

  it('adds up the lines exactly and warns when they differ from Amount', () => {
    const tenths = [lineItem({ Quantity: 1, UnitPrice: 0.1 }), lineItem({ Quantity: 1, UnitPrice: 0.2 })];
    const exact = expectOk(map({ Amount: 0.3 }, tenths));
    expect(exact.identity.expectedTotal).toBe('0.30');
    expect(exact.warnings).toEqual([]);
    const off = expectOk(map({ Amount: 0.31 }, tenths));
    expect(off.warnings).toEqual([
      expect.objectContaining({ code: 'ORDER_TOTAL_MISMATCH', field: 'Amount' }),
    ]);
    expect(
      expectOk(map({ Amount: 0.31 }, tenths, config({ orders: { checkTotal: false } }))).warnings,
    ).toEqual([]);
  });

  it('carries the Opportunity currency through, within the company allow-list', () => {
    const r = expectOk(map({ CurrencyIsoCode: 'EUR' }));
    expect(r.entity.header.CurrencyCode).toBe('EUR');
    expect(r.entity.lines[0]!.CurrencyCode).toBe('EUR');
    expectRejected(map({ CurrencyIsoCode: 'JPY' }), 'UNKNOWN_CURRENCY', 'CurrencyIsoCode');
    expectRejected(map({ CurrencyIsoCode: 'EURO' }), 'UNKNOWN_CURRENCY');
  });

  it('checks dates and can leave requested dates to F&O', () => {
    expectRejected(map({ CloseDate: '2026-02-30' }), 'INVALID_DATE', 'CloseDate');
    expectRejected(map({ CloseDate: undefined }), 'MISSING_REQUIRED_FIELD', 'CloseDate');
    expectRejected(
      map({}, [lineItem({ ServiceDate: '30/09/2026' })]),
      'INVALID_DATE',
      'OpportunityLineItems.records[0].ServiceDate',
    );
    expect(
      expectOk(map({ CloseDate: '2026-11-26T10:15:00.000+0000' })).entity.header.RequestedShippingDate,
    ).toBe('2026-11-26T12:00:00Z');
    const none = expectOk(
      map({ CloseDate: undefined }, undefined, config({ orders: { requestedDates: 'none' } })),
    );
    expect(none.entity.header).not.toHaveProperty('RequestedShippingDate');
  });

  it('maps units it knows and warns about the others', () => {
    const c = config({ orders: { unitMap: { Each: 'pcs' } } });
    const each = lineItem({ Product2: { ProductCode: 'D1', QuantityUnitOfMeasure: ' each ' } });
    const box = lineItem({ Product2: { ProductCode: 'D2', QuantityUnitOfMeasure: 'Box' } });
    const r = expectOk(map({}, [each, box], c));
    expect(r.entity.lines[0]!.SalesUnitSymbol).toBe('pcs');
    expect(r.entity.lines[1]).not.toHaveProperty('SalesUnitSymbol');
    expect(r.warnings).toEqual([
      expect.objectContaining({
        code: 'UNIT_NOT_MAPPED',
        field: 'OpportunityLineItems.records[1].Product2.QuantityUnitOfMeasure',
      }),
    ]);
  });

  it('reads namespaced package fields on the parent, the product and the Opportunity', () => {
    const acct = {
      attributes: { type: 'Account' },
      fobridge__D365_Customer_Number__c: 'US-027',
      fobridge__D365_Legal_Entity__c: 'usrt',
    };
    const line = lineItem({
      Product2: { Name: 'X', ProductCode: 'SPK', fobridge__D365_Item_Number__c: 'D0009' },
    });
    const r = expectOk(
      mapOpportunityToSalesOrder(
        opportunity({ Account: acct, fobridge__D365_Sales_Order_Number__c: '000123' }, [line]),
        cfg,
        { namespace: 'fobridge' },
      ),
    );
    expect(r.company).toBe('usrt');
    expect(r.entity.lines[0]!.ItemNumber).toBe('D0009');
    expect(r.identity.salesOrderNumber).toBe('000123');
  });

  it('copies configured extra fields onto header and lines', () => {
    const c = config({
      orders: {
        headerExtraFields: { CustomerRequisitionNumber: 'PO_Number__c' },
        lineExtraFields: { LineDescription: 'Description' },
      },
    });
    const r = expectOk(map({ PO_Number__c: 'PO-77' }, [lineItem({ Description: 'Gift wrap' })], c));
    expect(r.entity.header.CustomerRequisitionNumber).toBe('PO-77');
    expect(r.entity.lines[0]!.LineDescription).toBe('Gift wrap');
  });
});
