import { describe, expect, it } from 'vitest';
import {
  customerAccountFromSequence,
  mapAccountToCustomer,
  mapAccountUpdate,
} from '../../src/mapping/index.js';
import { ACCOUNT_ID, account, config, expectOk, expectRejected } from './helpers.js';

const cfg = config();
const create = (fields: Record<string, unknown> = {}, c = cfg) =>
  mapAccountToCustomer(account(fields), c, { customerAccount: 'SF000001' });

describe('mapAccountToCustomer', () => {
  it('builds the CustomersV3 body with the company defaults and the allocated number', () => {
    const r = expectOk(create({ Phone: '+1 206 555 0100', Website: 'https://contoso.example.com' }));
    expect(r.company).toBe('usmf');
    expect(r.entity).toEqual({
      dataAreaId: 'usmf',
      CustomerAccount: 'SF000001',
      PartyType: 'Organization',
      OrganizationName: 'Contoso Retail Seattle',
      NameAlias: 'Contoso Retail Seatt',
      CustomerGroupId: '10',
      SalesCurrencyCode: 'USD',
      LanguageId: 'en-US',
      AddressStreet: '123 Pike Street',
      AddressCity: 'Seattle',
      AddressState: 'WA',
      AddressZipCode: '98101',
      AddressCountryRegionId: 'USA',
      AddressCountryRegionISOCode: 'US',
      PrimaryContactPhone: '+1 206 555 0100',
      PrimaryContactURL: 'https://contoso.example.com',
      KnownAs: ACCOUNT_ID,
    });
    expect(r.identity).toEqual({
      salesforceId: ACCOUNT_ID,
      company: 'usmf',
      numbering: 'proxyRange',
      customerAccount: 'SF000001',
      existingCustomerAccount: undefined,
      lookup: { by: 'key', dataAreaId: 'usmf', CustomerAccount: 'SF000001' },
      version: '2026-08-21T09:14:03.000+0000',
    });
    expect(r.warnings).toEqual([]);
  });

  it('takes payment terms, delivery mode, tax group and language from the routed company only', () => {
    const c = config({
      companies: {
        usmf: { customerGroup: '10', currency: 'USD' },
        usrt: {
          customerGroup: '30',
          currency: 'USD',
          paymentTerms: 'Net10',
          deliveryMode: '20',
          salesTaxGroup: 'WA',
          language: 'en-us',
        },
      },
    });
    const r = expectOk(create({ D365_Legal_Entity__c: 'usrt' }, c));
    expect(r.entity).toMatchObject({
      dataAreaId: 'usrt',
      CustomerGroupId: '30',
      PaymentTerms: 'Net10',
      DeliveryMode: '20',
      SalesTaxGroup: 'WA',
      LanguageId: 'en-us',
    });
    expect(expectOk(create({}, c)).entity).not.toHaveProperty('PaymentTerms');
  });

  it('keeps apostrophes, ampersands and non-ASCII names exactly', () => {
    const r = expectOk(
      create({
        Name: "O'Brien & Søn GmbH",
        BillingCity: 'Łódź',
        BillingCountry: 'Poland',
        BillingState: 'łódzkie',
      }),
    );
    expect(r.entity).toMatchObject({
      OrganizationName: "O'Brien & Søn GmbH",
      NameAlias: "O'Brien & Søn GmbH",
      AddressCity: 'Łódź',
      AddressState: 'łódzkie',
      AddressCountryRegionId: 'POL',
    });
    const zurich = expectOk(
      create({
        Name: 'Zürcher Kantonalbank',
        BillingCity: 'Zürich',
        BillingCountry: 'Switzerland',
        BillingState: 'ZH',
      }),
    );
    expect(zurich.entity).toMatchObject({
      OrganizationName: 'Zürcher Kantonalbank',
      AddressCity: 'Zürich',
      AddressState: 'ZH',
      AddressCountryRegionId: 'CHE',
    });
  });

  it('cuts a 255-character name at a word boundary within 100 and says so', () => {
    const words = Array.from({ length: 40 }, (_, i) => `Word${i}`).join(' ');
    const name = words.slice(0, 255);
    const r = expectOk(create({ Name: name }));
    const org = String(r.entity.OrganizationName);
    expect(org.length).toBeLessThanOrEqual(100);
    expect(name.startsWith(org)).toBe(true);
    expect(name.charAt(org.length)).toBe(' ');
    expect(String(r.entity.NameAlias).length).toBeLessThanOrEqual(20);
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'NAME_TRUNCATED', field: 'Name' })]);
    expect(r.entity).not.toHaveProperty('SalesMemo');
  });

  it('keeps the full name in the configured field when it had to be cut', () => {
    const name = 'Contoso '.repeat(20).trim();
    const r = expectOk(create({ Name: name }, config({ customer: { fullNameField: 'SalesMemo' } })));
    expect(r.entity.SalesMemo).toBe(name);
    expect(r.warnings[0]!.message).toMatch(/SalesMemo/);
    // A name that fits writes nothing there.
    expect(
      expectOk(create({}, config({ customer: { fullNameField: 'SalesMemo' } }))).entity,
    ).not.toHaveProperty('SalesMemo');
  });

  it('maps a person account to a person party', () => {
    const r = expectOk(
      create({ IsPersonAccount: true, Name: 'Ana Lopez', FirstName: 'Ana', LastName: 'López' }),
    );
    expect(r.entity).toMatchObject({
      PartyType: 'Person',
      PersonFirstName: 'Ana',
      PersonLastName: 'López',
      NameAlias: 'Ana López',
    });
    expect(r.entity).not.toHaveProperty('OrganizationName');
  });

  it('names a missing name, a bad country and a bad state', () => {
    expectRejected(create({ Name: '  ' }), 'MISSING_REQUIRED_FIELD', 'Name');
    expectRejected(create({ Name: undefined }), 'MISSING_REQUIRED_FIELD', 'Name');
    const country = expectRejected(
      create({ BillingCountry: 'Atlantis' }),
      'INVALID_COUNTRY',
      'BillingCountry',
    );
    expect(country.reason).toMatch(/Atlantis/);
    expectRejected(create({ BillingState: 'FD' }), 'INVALID_STATE', 'BillingState');
    expectRejected(create({ BillingStateCode: 'ZZ' }), 'INVALID_STATE', 'BillingStateCode');
  });

  it('prefers the picklist codes and turns state names into codes', () => {
    const r = expectOk(
      create({
        BillingCountry: 'Canada',
        BillingCountryCode: 'CA',
        BillingState: 'Québec',
        BillingStateCode: undefined,
      }),
    );
    expect(r.entity).toMatchObject({
      AddressCountryRegionId: 'CAN',
      AddressCountryRegionISOCode: 'CA',
      AddressState: 'QC',
    });
    const named = expectOk(create({ BillingState: 'Washington', BillingCountry: 'United States' }));
    expect(named.entity).toMatchObject({ AddressState: 'WA', AddressCountryRegionId: 'USA' });
  });

  it('passes states of countries that are not validated through as written', () => {
    const r = expectOk(
      create({
        BillingCountry: 'Germany',
        BillingState: 'Bayern',
        BillingStreet: 'Hauptstraße 5a',
        BillingCity: 'München',
      }),
    );
    expect(r.entity).toMatchObject({
      AddressState: 'Bayern',
      AddressCountryRegionId: 'DEU',
      AddressStreet: 'Hauptstraße 5a',
      AddressCity: 'München',
    });
    expect(r.entity).not.toHaveProperty('AddressStreetNumber');
  });

  it('splits the house number only for the configured countries', () => {
    const c = config({ address: { splitStreetNumber: ['DE'] } });
    const de = expectOk(
      create({ BillingCountry: 'DE', BillingState: undefined, BillingStreet: 'Hauptstraße 5a' }, c),
    );
    expect(de.entity).toMatchObject({ AddressStreet: 'Hauptstraße', AddressStreetNumber: '5a' });
    const us = expectOk(create({ BillingStreet: '123 Main St' }, c));
    expect(us.entity).toMatchObject({ AddressStreet: '123 Main St' });
    const always = expectOk(
      create({ BillingStreet: '123 Main St' }, config({ address: { splitStreetNumber: 'always' } })),
    );
    expect(always.entity).toMatchObject({ AddressStreet: 'Main St', AddressStreetNumber: '123' });
  });

  it('uses the company default country, or rejects an address without a country', () => {
    expectRejected(create({ BillingCountry: undefined }), 'MISSING_REQUIRED_FIELD', 'BillingCountry');
    const c = config({ companies: { usmf: { customerGroup: '10', currency: 'USD', defaultCountry: 'US' } } });
    expect(expectOk(create({ BillingCountry: undefined }, c)).entity).toMatchObject({
      AddressCountryRegionISOCode: 'US',
    });
    const none = {
      BillingStreet: undefined,
      BillingCity: undefined,
      BillingState: undefined,
      BillingPostalCode: undefined,
      BillingCountry: undefined,
    };
    expect(Object.keys(expectOk(create(none)).entity).filter((k) => k.startsWith('Address'))).toEqual([]);
  });

  it('reads the shipping address when configured, and maps a different F&O country id', () => {
    const c = config({
      customer: { addressSource: 'Shipping' },
      address: { countryRegionIds: { us: 'US' } },
    });
    const r = expectOk(
      create({ ShippingStreet: '500 Dock Road', ShippingCity: 'Tacoma', ShippingCountry: 'US' }, c),
    );
    expect(r.entity).toMatchObject({
      AddressStreet: '500 Dock Road',
      AddressCity: 'Tacoma',
      AddressCountryRegionId: 'US',
      AddressCountryRegionISOCode: 'US',
    });
  });

  it('carries the Account currency through, within the allow-list', () => {
    expect(expectOk(create({ CurrencyIsoCode: 'eur' })).entity.SalesCurrencyCode).toBe('EUR');
    expectRejected(create({ CurrencyIsoCode: 'GBP' }), 'UNKNOWN_CURRENCY', 'CurrencyIsoCode');
    expectRejected(create({ CurrencyIsoCode: 'ABC', D365_Legal_Entity__c: 'usrt' }), 'UNKNOWN_CURRENCY');
    expect(
      expectOk(create({ CurrencyIsoCode: 'GBP', D365_Legal_Entity__c: 'usrt' })).entity.SalesCurrencyCode,
    ).toBe('GBP');
  });

  it('ignores unknown fields and copies configured extra fields', () => {
    const c = config({
      customer: {
        extraFields: {
          OrganizationNumber: 'AccountNumber',
          CreditLimit: 'Credit_Limit__c',
          IsOneTimeCustomer: 'One_Time__c',
        },
      },
    });
    const r = expectOk(
      create(
        {
          Industry: 'Retail',
          Unknown__c: { a: 1 },
          AccountNumber: ' CR-1001 ',
          Credit_Limit__c: 2500.5,
          One_Time__c: false,
        },
        c,
      ),
    );
    expect(r.entity).toMatchObject({
      OrganizationNumber: 'CR-1001',
      CreditLimit: 2500.5,
      IsOneTimeCustomer: 'No',
    });
    expect(r.entity).not.toHaveProperty('Industry');
  });

  it('rejects the wrong object type and a record without an Id', () => {
    expectRejected(
      mapAccountToCustomer({ ...account(), attributes: { type: 'Lead' } }, cfg, { customerAccount: 'X' }),
      'WRONG_OBJECT_TYPE',
    );
    expectRejected(
      mapAccountToCustomer({ ...account(), Id: undefined }, cfg, { customerAccount: 'X' }),
      'MISSING_REQUIRED_FIELD',
      'Id',
    );
    expectRejected(
      mapAccountToCustomer({ ...account(), Name: 42 }, cfg, { customerAccount: 'X' }),
      'INVALID_FIELD',
      'Name',
    );
    expectRejected(mapAccountToCustomer('nope', cfg), 'INVALID_FIELD');
  });

  it('needs an allocated number with proxyRange numbering', () => {
    expectRejected(mapAccountToCustomer(account(), cfg), 'CUSTOMER_ACCOUNT_NOT_ALLOCATED');
  });

  it('reports the customer number an already synced Account carries', () => {
    const r = expectOk(create({ D365_Customer_Number__c: 'US-027' }));
    expect(r.identity.existingCustomerAccount).toBe('US-027');
  });

  it('writes the Account Id into the correlation field with fnoSequence numbering', () => {
    const c = config({ customerNumbering: { mode: 'fnoSequence', correlationField: 'KnownAs' } });
    const r = expectOk(mapAccountToCustomer(account(), c));
    expect(r.entity).not.toHaveProperty('CustomerAccount');
    expect(r.entity.KnownAs).toBe(ACCOUNT_ID);
    expect(r.identity).toMatchObject({
      numbering: 'fnoSequence',
      customerAccount: undefined,
      lookup: { by: 'correlation', field: 'KnownAs', value: ACCOUNT_ID },
    });
  });

  it('reads namespaced package fields', () => {
    const { D365_Legal_Entity__c: _, ...plain } = account();
    const r = expectOk(
      mapAccountToCustomer({ ...plain, fobridge__D365_Legal_Entity__c: 'usrt' }, cfg, {
        namespace: 'fobridge',
        customerAccount: 'SF9',
      }),
    );
    expect(r.company).toBe('usrt');
  });
});

describe('customerAccountFromSequence', () => {
  it('formats the n-th number of the range and refuses numbers outside it', () => {
    expect(customerAccountFromSequence(42, cfg, 'usmf')).toEqual({ ok: true, customerAccount: 'SF000042' });
    const small = config({
      customerNumbering: { mode: 'proxyRange', prefix: 'C-', start: 5, end: 9, width: 2 },
    });
    expect(customerAccountFromSequence(5, small, 'usmf')).toEqual({ ok: true, customerAccount: 'C-05' });
    expectRejected(customerAccountFromSequence(10, small, 'usmf'), 'NUMBER_RANGE_EXHAUSTED');
    expectRejected(customerAccountFromSequence(4, small, 'usmf'), 'NUMBER_RANGE_EXHAUSTED');
    const fno = config({ customerNumbering: { mode: 'fnoSequence', correlationField: 'KnownAs' } });
    expectRejected(customerAccountFromSequence(1, fno, 'usmf'), 'CUSTOMER_ACCOUNT_NOT_ALLOCATED');
  });
});

describe('mapAccountUpdate', () => {
  it('builds a PATCH body without keys or create-only defaults, clearing emptied fields', () => {
    const r = expectOk(
      mapAccountUpdate(account({ D365_Customer_Number__c: 'SF000001', Phone: '+1 206 555 0100' }), cfg),
    );
    expect(r.identity.key).toEqual({ dataAreaId: 'usmf', CustomerAccount: 'SF000001' });
    expect(r.entity).toEqual({
      OrganizationName: 'Contoso Retail Seattle',
      AddressStreet: '123 Pike Street',
      AddressStreetNumber: '',
      AddressCity: 'Seattle',
      AddressState: 'WA',
      AddressZipCode: '98101',
      AddressCountryRegionId: 'USA',
      AddressCountryRegionISOCode: 'US',
      PrimaryContactPhone: '+1 206 555 0100',
      PrimaryContactURL: '',
      PrimaryContactFax: '',
    });
  });

  it('needs the customer number and a routable company', () => {
    expectRejected(mapAccountUpdate(account(), cfg), 'MISSING_REQUIRED_FIELD', 'D365_Customer_Number__c');
    expectRejected(
      mapAccountUpdate(account({ D365_Customer_Number__c: 'X', D365_Legal_Entity__c: 'zz' }), cfg),
      'UNMAPPED_LEGAL_ENTITY',
    );
  });
});
