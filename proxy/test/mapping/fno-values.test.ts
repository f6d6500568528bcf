/**
 * Values F&O must never see: control characters and broken UTF-16 in text, numbers beyond what an
 * F&O decimal field (X++ `real`, numeric(32,16)) holds. Each is refused with a reason before any write.
 */
import { describe, expect, it } from 'vitest';
import { Decimal, checkDecimal, fitsFnoReal } from '../../src/mapping/decimals.js';
import { fnoText, fnoTextBody } from '../../src/mapping/fno-text.js';
import {
  mapAccountToCustomer,
  mapAccountUpdate,
  mapContactToContactPerson,
  mapOpportunityToSalesOrder,
} from '../../src/mapping/index.js';
import { account, config, contact, expectOk, expectRejected, lineItem, opportunity } from './helpers.js';

const cfg = config();
const create = (fields: Record<string, unknown>, c = cfg) =>
  mapAccountToCustomer(account(fields), c, { customerAccount: 'SF000001' });

describe('text F&O can store', () => {
  it('refuses NUL, other C0/C1 controls, DEL, lone surrogates and noncharacters', () => {
    for (const bad of [
      'Acme\u0000Corp',
      'a\u0007b',
      'a\u001bb',
      'a\u007fb',
      'a\u0085b',
      'a\u009fb',
      'a\ud800b',
      'a\udc00',
      'x\uffff',
    ]) {
      expect(fnoText(bad, 'singleLine').ok, JSON.stringify(bad)).toBe(false);
      expect(fnoText(bad, 'multiLine').ok, JSON.stringify(bad)).toBe(false);
    }
    expect(fnoText('a\u0000b', 'singleLine')).toEqual({ ok: false, problem: 'a control character (U+0000)' });
  });

  it('keeps what is real: emoji (surrogate pairs), accents, CJK; tabs and line breaks only in multi-line text', () => {
    expect(fnoText('Zürich 東京 🚀', 'singleLine')).toEqual({ ok: true, value: 'Zürich 東京 🚀' });
    expect(fnoText('1 Main St\r\nSuite\t5', 'multiLine')).toEqual({
      ok: true,
      value: '1 Main St\r\nSuite\t5',
    });
    // A one-line F&O field: a pasted line break or tab becomes a space.
    expect(fnoText('+1 425\n555\t0142', 'singleLine')).toEqual({ ok: true, value: '+1 425 555 0142' });
    expect(fnoText('a\u2028b\r\n\u2029c', 'singleLine')).toEqual({ ok: true, value: 'a b c' });
  });

  it('names the Salesforce field the bad text came from', () => {
    const r = fnoTextBody({ OrganizationName: 'a\u0000' }, { source: () => 'Name' });
    expect(r).toMatchObject({ ok: false, code: 'INVALID_TEXT', field: 'Name', transient: false });
  });

  it('an Account name with a NUL byte is rejected on create and on update', () => {
    const r = expectRejected(create({ Name: 'Contoso\u0000 Retail' }), 'INVALID_TEXT', 'Name');
    expect(r.reason).toMatch(/U\+0000/);
    expectRejected(
      mapAccountUpdate(account({ Name: 'Contoso\u0000', D365_Customer_Number__c: 'SF000001' }), cfg),
      'INVALID_TEXT',
      'Name',
    );
  });

  it('a street keeps its lines and tabs; a city with a control character is rejected', () => {
    const ok = expectOk(create({ BillingStreet: '123 Pike Street\nFloor\t3' }));
    expect(ok.entity.AddressStreet).toBe('123 Pike Street\nFloor\t3');
    expectRejected(create({ BillingCity: 'Seat\u0001tle' }), 'INVALID_TEXT', 'BillingCity');
    expectRejected(create({ BillingStreet: '1 Main\u0000 St' }), 'INVALID_TEXT', 'BillingStreet');
  });

  it('a phone with a line break is sent on one line', () => {
    expect(expectOk(create({ Phone: '+1 425\n555 0142' })).entity.PrimaryContactPhone).toBe(
      '+1 425 555 0142',
    );
  });

  it('extra fields and contacts are checked too', () => {
    const withExtra = config({ customer: { extraFields: { OrganizationNumber: 'AccountNumber' } } });
    expectRejected(create({ AccountNumber: 'A-1\u0000' }, withExtra), 'INVALID_TEXT', 'AccountNumber');
    expectRejected(
      mapContactToContactPerson(contact({ LastName: 'Funk\ud83d' }), cfg, {
        customerPartyNumber: '000000203',
      }),
      'INVALID_TEXT',
      'LastName',
    );
  });

  it('an item number with a control character is rejected for its order line', () => {
    const line = lineItem({
      Product2: { Name: 'Speaker', ProductCode: 'SPK', D365_Item_Number__c: 'D0001\u0000' },
    });
    const r = expectRejected(
      mapOpportunityToSalesOrder(opportunity({}, [line]), cfg),
      'INVALID_TEXT',
      'OpportunityLineItems.records[0].Product2.D365_Item_Number__c',
    );
    expect(r.reason).toMatch(/^Product 1:/);
  });
});

describe('numbers F&O can store (numeric(32,16))', () => {
  it('fits 16 digits before and 16 after the decimal point, no more', () => {
    expect(fitsFnoReal(new Decimal('9999999999999999.9999999999999999'))).toBe(true);
    expect(fitsFnoReal(new Decimal('10000000000000000'))).toBe(false);
    expect(fitsFnoReal(new Decimal('-10000000000000000'))).toBe(false);
    expect(fitsFnoReal(new Decimal('0.00000000000000001'))).toBe(false);
  });

  it('a decimal rule refuses 1e308 as out of range', () => {
    const rule = { places: 2, excess: 'reject', min: 'positive' } as const;
    expect(checkDecimal(1e308, rule)).toEqual({ ok: false, failure: 'outOfRange' });
    expect(checkDecimal(1e16, rule)).toEqual({ ok: false, failure: 'outOfRange' });
    expect(checkDecimal(999_999_999_999, rule)).toMatchObject({ ok: true, value: 999_999_999_999 });
  });

  it('Quantity: 1e308 and a price of 1e20 are rejected per line, never sent', () => {
    const q = expectRejected(
      mapOpportunityToSalesOrder(opportunity({}, [lineItem({ Quantity: 1e308 })]), cfg),
      'INVALID_QUANTITY',
      'OpportunityLineItems.records[0].Quantity',
    );
    expect(q.reason).toMatch(/more than F&O can store/);
    expectRejected(
      mapOpportunityToSalesOrder(opportunity({}, [lineItem({ UnitPrice: 1e20 })]), cfg),
      'INVALID_PRICE',
      'OpportunityLineItems.records[0].UnitPrice',
    );
  });

  it('quantity × price beyond an F&O amount is rejected although each fits', () => {
    const line = lineItem({ Quantity: 1e12, UnitPrice: 1e8 });
    expectRejected(
      mapOpportunityToSalesOrder(opportunity({}, [line]), cfg),
      'INVALID_AMOUNT',
      'OpportunityLineItems.records[0].Quantity',
    );
  });

  it('the order total must fit too', () => {
    const big = () => lineItem({ Quantity: 1e6, UnitPrice: 6e9 }); // 6e15 each: fits alone
    expectRejected(mapOpportunityToSalesOrder(opportunity({}, [big(), big()]), cfg), 'INVALID_AMOUNT');
  });

  it('a credit limit (extra field) beyond the range or negative is rejected', () => {
    const c = config({ customer: { extraFields: { CreditLimit: 'Credit_Limit__c' } } });
    expect(expectOk(create({ Credit_Limit__c: 250000 }, c)).entity.CreditLimit).toBe(250000);
    expectRejected(create({ Credit_Limit__c: 1e17 }, c), 'NUMBER_OUT_OF_RANGE', 'Credit_Limit__c');
    expectRejected(create({ Credit_Limit__c: -5 }, c), 'NUMBER_OUT_OF_RANGE', 'Credit_Limit__c');
  });
});
