import { describe, expect, it } from 'vitest';
import { routeLegalEntity } from '../../src/mapping/index.js';
import { account, config, contact, expectRejected, opportunity, parentAccount } from './helpers.js';

describe('routeLegalEntity', () => {
  const cfg = config({ routing: { map: { 'US Manufacturing': 'usmf', Retail: 'usrt' } } });

  it('routes an Account by its legal entity field, a company id as is', () => {
    expect(routeLegalEntity(account({ D365_Legal_Entity__c: 'usrt' }), cfg)).toMatchObject({
      ok: true,
      company: 'usrt',
      value: 'usrt',
      field: 'D365_Legal_Entity__c',
    });
  });

  it('matches table values and company ids trimmed and case-insensitively', () => {
    expect(routeLegalEntity(account({ D365_Legal_Entity__c: '  USMF ' }), cfg)).toMatchObject({
      ok: true,
      company: 'usmf',
    });
    expect(routeLegalEntity(account({ D365_Legal_Entity__c: 'us  manufacturing' }), cfg)).toMatchObject({
      ok: true,
      company: 'usmf',
    });
    expect(routeLegalEntity(account({ D365_Legal_Entity__c: 'RETAIL\t' }), cfg)).toMatchObject({
      ok: true,
      company: 'usrt',
    });
  });

  it('rejects an unmapped value and never falls back to a default company', () => {
    const r = expectRejected(
      routeLegalEntity(account({ D365_Legal_Entity__c: 'dat' }), cfg),
      'UNMAPPED_LEGAL_ENTITY',
      'D365_Legal_Entity__c',
    );
    expect(r.reason).toMatch(/"dat"/);
    expect(r.reason).toMatch(/usmf, usrt/);
    expect(r.transient).toBe(false);
  });

  it('rejects a blank or missing legal entity', () => {
    expectRejected(routeLegalEntity(account({ D365_Legal_Entity__c: '   ' }), cfg), 'UNMAPPED_LEGAL_ENTITY');
    const { D365_Legal_Entity__c: _, ...without } = account();
    expectRejected(routeLegalEntity(without, cfg), 'UNMAPPED_LEGAL_ENTITY', 'D365_Legal_Entity__c');
  });

  it('can refuse bare company ids so only table values route', () => {
    const strict = config({ routing: { acceptCompanyIds: false, map: { US: 'usmf' } } });
    expectRejected(
      routeLegalEntity(account({ D365_Legal_Entity__c: 'usmf' }), strict),
      'UNMAPPED_LEGAL_ENTITY',
    );
    expect(routeLegalEntity(account({ D365_Legal_Entity__c: 'us' }), strict)).toMatchObject({
      ok: true,
      company: 'usmf',
    });
  });

  it('routes Contacts and Opportunities by their parent Account', () => {
    const c = contact({ Account: parentAccount({ D365_Legal_Entity__c: 'Retail' }) });
    expect(routeLegalEntity(c, cfg)).toMatchObject({
      ok: true,
      company: 'usrt',
      field: 'Account.D365_Legal_Entity__c',
    });
    const o = opportunity({ Account: parentAccount({ D365_Legal_Entity__c: 'nowhere' }) });
    expectRejected(routeLegalEntity(o, cfg), 'UNMAPPED_LEGAL_ENTITY', 'Account.D365_Legal_Entity__c');
  });

  it('rejects a child record without a parent Account', () => {
    const { Account: _a, AccountId: _b, ...orphan } = contact();
    expectRejected(routeLegalEntity(orphan, cfg), 'MISSING_REQUIRED_FIELD', 'AccountId');
  });

  it('routes on another field chosen in the config, e.g. the record type or owner role', () => {
    const byRecordType = config({
      routing: { source: 'RecordType.DeveloperName', map: { US_Customer: 'usmf', Retail_Store: 'usrt' } },
    });
    const acct = account({
      RecordType: { attributes: { type: 'RecordType' }, DeveloperName: 'Retail_Store' },
    });
    expect(routeLegalEntity(acct, byRecordType)).toMatchObject({
      ok: true,
      company: 'usrt',
      field: 'RecordType.DeveloperName',
    });

    const byRole = config({
      routing: { source: 'Owner.UserRole.DeveloperName', map: { EMEA_Sales: 'usrt' } },
    });
    const child = opportunity({
      Account: parentAccount({ Owner: { UserRole: { DeveloperName: 'EMEA_Sales' } } }),
    });
    expect(routeLegalEntity(child, byRole)).toMatchObject({
      ok: true,
      company: 'usrt',
      field: 'Account.Owner.UserRole.DeveloperName',
    });

    const byUnit = config({ routing: { source: 'Business_Unit__c', map: { Manufacturing: 'usmf' } } });
    expect(routeLegalEntity(account({ Business_Unit__c: 'manufacturing' }), byUnit)).toMatchObject({
      ok: true,
      company: 'usmf',
    });
    expectRejected(routeLegalEntity(account(), byUnit), 'UNMAPPED_LEGAL_ENTITY', 'Business_Unit__c');
  });

  it('reads the namespaced package field in a subscriber org, and only that', () => {
    const { D365_Legal_Entity__c: _, ...plain } = account();
    const namespaced = { ...plain, fobridge__D365_Legal_Entity__c: 'usrt' };
    expect(routeLegalEntity(namespaced, cfg, { namespace: 'fobridge' })).toMatchObject({
      ok: true,
      company: 'usrt',
      field: 'fobridge__D365_Legal_Entity__c',
    });
    expectRejected(
      routeLegalEntity(account(), cfg, { namespace: 'fobridge' }),
      'UNMAPPED_LEGAL_ENTITY',
      'fobridge__D365_Legal_Entity__c',
    );
    // A subscriber's own field is never prefixed.
    const byUnit = config({ routing: { source: 'Business_Unit__c', map: { Retail: 'usrt' } } });
    expect(
      routeLegalEntity(account({ Business_Unit__c: 'Retail' }), byUnit, { namespace: 'fobridge' }),
    ).toMatchObject({ company: 'usrt' });
  });

  it('rejects a routing field that is not a single value', () => {
    expectRejected(
      routeLegalEntity(account({ D365_Legal_Entity__c: { nested: true } }), cfg),
      'INVALID_FIELD',
      'D365_Legal_Entity__c',
    );
  });
});
