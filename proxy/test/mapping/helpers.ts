/** Shared builders for the mapping tests: a small valid config and Salesforce records shaped like Apex JSON.serialize output. */
import { expect } from 'vitest';
import {
  validateBridgeConfig,
  type BridgeConfig,
  type MapResult,
  type Mapped,
  type RejectionCode,
} from '../../src/mapping/index.js';

type Input = Record<string, unknown>;

export const baseConfigInput = (): Input => ({
  version: 1,
  companies: {
    usmf: {
      customerGroup: '10',
      currency: 'USD',
      language: 'en-US',
      site: '1',
      warehouse: '11',
      currencies: ['USD', 'EUR'],
    },
    usrt: { customerGroup: '30', currency: 'USD' },
  },
});

/** A validated config: the base plus top-level sections replaced by `overrides`. */
export function config(overrides: Input = {}): BridgeConfig {
  return validateBridgeConfig({ ...baseConfigInput(), ...overrides }, 'test config');
}

const attrs = (type: string, id: string) => ({ type, url: `/services/data/v62.0/sobjects/${type}/${id}` });

export const ACCOUNT_ID = '001Hs00001Xa1bQIAR';
export const CONTACT_ID = '003Hs00000Qz7mKIAR';
export const OPPORTUNITY_ID = '006Hs00000Dd9pEIAR';

export function account(fields: Input = {}): Input {
  return {
    attributes: attrs('Account', ACCOUNT_ID),
    Id: ACCOUNT_ID,
    Name: 'Contoso Retail Seattle',
    BillingStreet: '123 Pike Street',
    BillingCity: 'Seattle',
    BillingState: 'WA',
    BillingPostalCode: '98101',
    BillingCountry: 'USA',
    D365_Legal_Entity__c: 'usmf',
    SystemModstamp: '2026-08-21T09:14:03.000+0000',
    ...fields,
  };
}

export function parentAccount(fields: Input = {}): Input {
  return {
    attributes: attrs('Account', ACCOUNT_ID),
    Id: ACCOUNT_ID,
    D365_Customer_Number__c: 'US-027',
    D365_Legal_Entity__c: 'usmf',
    ...fields,
  };
}

export function contact(fields: Input = {}): Input {
  return {
    attributes: attrs('Contact', CONTACT_ID),
    Id: CONTACT_ID,
    AccountId: ACCOUNT_ID,
    FirstName: 'Julia',
    LastName: 'Funk',
    Title: 'Purchasing Manager',
    Email: 'julia.funk@fabrikam.example.com',
    Phone: '+1 425 555 0142',
    SystemModstamp: '2026-08-21T09:20:11.000+0000',
    Account: parentAccount(),
    ...fields,
  };
}

let lineCounter = 0;
export function lineItem(fields: Input = {}): Input {
  const id = `00kHs00000Wq3s${String(lineCounter++ % 1000).padStart(3, '0')}A`;
  return {
    attributes: attrs('OpportunityLineItem', id),
    Id: id,
    OpportunityId: OPPORTUNITY_ID,
    Product2: {
      attributes: attrs('Product2', '01tHs00000Pr0dAIAR'),
      Id: '01tHs00000Pr0dAIAR',
      Name: 'Mid-Range Speaker',
      ProductCode: 'SPK-MID',
      D365_Item_Number__c: 'D0001',
    },
    Quantity: 10.0,
    UnitPrice: 389.45,
    ...fields,
  };
}

export function opportunity(fields: Input = {}, lines: Input[] = [lineItem()]): Input {
  return {
    attributes: attrs('Opportunity', OPPORTUNITY_ID),
    Id: OPPORTUNITY_ID,
    Name: 'Fabrikam - Speakers',
    CloseDate: '2026-08-21',
    StageName: 'Closed Won',
    IsWon: true,
    SystemModstamp: '2026-08-21T09:31:40.000+0000',
    Account: parentAccount(),
    OpportunityLineItems: { totalSize: lines.length, done: true, records: lines },
    ...fields,
  };
}

export function expectOk<E, I>(result: MapResult<E, I>): Mapped<E, I> {
  if (!result.ok) throw new Error(`expected a mapped entity, got ${result.code}: ${result.reason}`);
  return result;
}

export function expectRejected<E, I>(
  result: MapResult<E, I> | { ok: boolean },
  code: RejectionCode,
  field?: string,
) {
  expect(result).toMatchObject({ ok: false, code });
  if (field !== undefined) expect(result).toMatchObject({ field });
  const r = result as { reason: string; transient: boolean };
  expect(r.reason.length).toBeGreaterThan(10);
  return r;
}
