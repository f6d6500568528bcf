/**
 * The correlation fields: where the proxy writes the Salesforce Id on create (its proof of ownership
 * before any later update), configurable for an installation's own field, never overwritable.
 */
import { describe, expect, it } from 'vitest';
import {
  BridgeConfigError,
  customerCorrelationField,
  mapAccountToCustomer,
  mapAccountUpdate,
  mapContactToContactPerson,
  validateBridgeConfig,
} from '../../src/mapping/index.js';
import { ACCOUNT_ID, CONTACT_ID, account, baseConfigInput, config, contact, expectOk } from './helpers.js';

function problems(input: Record<string, unknown>) {
  try {
    validateBridgeConfig({ ...baseConfigInput(), ...input });
  } catch (err) {
    expect(err).toBeInstanceOf(BridgeConfigError);
    return (err as BridgeConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('correlation fields', () => {
  it('defaults: KnownAs on customers, KnownAsName on contact persons, written with the Salesforce Id on create only', () => {
    const cfg = config();
    expect(customerCorrelationField(cfg, 'usmf')).toBe('KnownAs');
    const created = expectOk(mapAccountToCustomer(account(), cfg, { customerAccount: 'SF000001' }));
    expect(created.entity.KnownAs).toBe(ACCOUNT_ID);
    const updated = expectOk(mapAccountUpdate(account({ D365_Customer_Number__c: 'SF000001' }), cfg));
    expect(updated.entity).not.toHaveProperty('KnownAs');
    const person = expectOk(mapContactToContactPerson(contact(), cfg, { customerPartyNumber: '000000203' }));
    expect(person.entity.KnownAsName).toBe(CONTACT_ID);
  });

  it('an installation with its own SalesforceId field names it', () => {
    const cfg = config({
      customer: { correlationField: 'SalesforceId' },
      contact: { correlationField: 'SalesforceId' },
    });
    const created = expectOk(mapAccountToCustomer(account(), cfg, { customerAccount: 'SF000001' }));
    expect(created.entity.SalesforceId).toBe(ACCOUNT_ID);
    expect(created.entity).not.toHaveProperty('KnownAs');
    const person = expectOk(mapContactToContactPerson(contact(), cfg, { customerPartyNumber: '000000203' }));
    expect(person.entity.SalesforceId).toBe(CONTACT_ID);
  });

  it('fnoSequence numbering proves ownership with its own correlation field', () => {
    const cfg = config({ customerNumbering: { mode: 'fnoSequence', correlationField: 'SalesforceId' } });
    expect(customerCorrelationField(cfg, 'usmf')).toBe('SalesforceId');
  });

  it('refuses a key, and extra fields or the full-name field that would overwrite a correlation value', () => {
    expect(problems({ customer: { correlationField: 'CustomerAccount' } })[0]).toMatchObject({
      path: 'customer.correlationField',
    });
    expect(problems({ customer: { extraFields: { KnownAs: 'Nickname__c' } } })[0]).toMatchObject({
      path: 'customer.extraFields.KnownAs',
    });
    expect(problems({ contact: { extraFields: { KnownAsName: 'Nickname__c' } } })[0]).toMatchObject({
      path: 'contact.extraFields.KnownAsName',
    });
    expect(
      problems({ orders: { headerExtraFields: { CustomersOrderReference: 'PO_Number__c' } } })[0],
    ).toMatchObject({ path: 'orders.headerExtraFields.CustomersOrderReference' });
    expect(problems({ customer: { fullNameField: 'KnownAs' } })[0]).toMatchObject({
      path: 'customer.fullNameField',
    });
  });
});
