import { describe, expect, it } from 'vitest';
import { mapContactToContactPerson, mapContactUpdate } from '../../src/mapping/index.js';
import { CONTACT_ID, config, contact, expectOk, expectRejected, parentAccount } from './helpers.js';

const cfg = config();

describe('mapContactToContactPerson', () => {
  it('builds the ContactPersons body under the parent customer party', () => {
    const r = expectOk(
      mapContactToContactPerson(contact({ Department: 'Procurement' }), cfg, {
        customerPartyNumber: '000000203',
      }),
    );
    expect(r.company).toBe('usmf');
    expect(r.entity).toEqual({
      dataAreaId: 'usmf',
      AssociatedPartyNumber: '000000203',
      FirstName: 'Julia',
      LastName: 'Funk',
      EmploymentJobTitle: 'Purchasing Manager',
      EmploymentDepartment: 'Procurement',
      PrimaryEmailAddress: 'julia.funk@fabrikam.example.com',
      PrimaryPhoneNumber: '+1 425 555 0142',
      IsPrimaryPhoneNumberMobile: 'No',
      KnownAsName: CONTACT_ID,
    });
    expect(r.identity).toEqual({
      salesforceId: CONTACT_ID,
      company: 'usmf',
      customerAccount: 'US-027',
      contactPersonId: undefined,
      needsPartyNumber: false,
      lookup: {
        dataAreaId: 'usmf',
        // Found again by the Contact Id it carries in F&O, never by a name someone else may share.
        fields: { KnownAsName: CONTACT_ID },
      },
      version: '2026-08-21T09:20:11.000+0000',
    });
  });

  it('says when the party number still has to be looked up', () => {
    const r = expectOk(mapContactToContactPerson(contact(), cfg));
    expect(r.entity).not.toHaveProperty('AssociatedPartyNumber');
    expect(r.identity).toMatchObject({ needsPartyNumber: true, customerAccount: 'US-027' });
  });

  it('waits (transient) while the parent Account has no customer number', () => {
    const r = expectRejected(
      mapContactToContactPerson(
        contact({ Account: parentAccount({ D365_Customer_Number__c: undefined }) }),
        cfg,
      ),
      'PARENT_NOT_SYNCED',
      'Account.D365_Customer_Number__c',
    );
    expect(r.transient).toBe(true);
  });

  it('routes by the parent, rejects an unmapped one first (not transient)', () => {
    const r = expectRejected(
      mapContactToContactPerson(
        contact({
          Account: parentAccount({ D365_Legal_Entity__c: 'zz', D365_Customer_Number__c: undefined }),
        }),
        cfg,
      ),
      'UNMAPPED_LEGAL_ENTITY',
    );
    expect(r.transient).toBe(false);
  });

  it('takes the parent Account from the options when it is not nested', () => {
    const { Account: _, ...bare } = contact();
    const r = expectOk(
      mapContactToContactPerson(bare, cfg, {
        account: parentAccount({ D365_Legal_Entity__c: 'usrt', D365_Customer_Number__c: 'RT-001' }),
      }),
    );
    expect(r.company).toBe('usrt');
    expect(r.identity.customerAccount).toBe('RT-001');
  });

  it('maps a mobile-only phone, the mailing address and keeps non-ASCII names', () => {
    const r = expectOk(
      mapContactToContactPerson(
        contact({
          FirstName: 'Łukasz',
          LastName: "O'Brien-Wójcik",
          Phone: undefined,
          MobilePhone: '+48 600 100 200',
          MailingStreet: 'ul. Piotrkowska 104',
          MailingCity: 'Łódź',
          MailingPostalCode: '90-926',
          MailingCountry: 'Poland',
        }),
        cfg,
      ),
    );
    expect(r.entity).toMatchObject({
      FirstName: 'Łukasz',
      LastName: "O'Brien-Wójcik",
      PrimaryPhoneNumber: '+48 600 100 200',
      IsPrimaryPhoneNumberMobile: 'Yes',
      PrimaryAddressStreet: 'ul. Piotrkowska 104',
      PrimaryAddressCity: 'Łódź',
      PrimaryAddressZipCode: '90-926',
      PrimaryAddressCountryRegionId: 'POL',
      PrimaryAddressCountryRegionISOCode: 'PL',
    });
  });

  it('names missing and invalid fields', () => {
    expectRejected(
      mapContactToContactPerson(contact({ LastName: ' ' }), cfg),
      'MISSING_REQUIRED_FIELD',
      'LastName',
    );
    expectRejected(
      mapContactToContactPerson(contact({ MailingCountry: 'Narnia' }), cfg),
      'INVALID_COUNTRY',
      'MailingCountry',
    );
    expectRejected(
      mapContactToContactPerson(contact({ MailingCountry: 'US', MailingState: 'Ontario' }), cfg),
      'INVALID_STATE',
      'MailingState',
    );
    expectRejected(
      mapContactToContactPerson({ ...contact(), attributes: { type: 'Account' } }, cfg),
      'WRONG_OBJECT_TYPE',
    );
  });

  it('reads namespaced package fields on the parent', () => {
    const ns = {
      attributes: { type: 'Account' },
      fobridge__D365_Customer_Number__c: 'US-027',
      fobridge__D365_Legal_Entity__c: 'usmf',
    };
    const r = expectOk(
      mapContactToContactPerson(contact({ Account: ns, fobridge__D365_Contact_Person_Id__c: 'CP-1' }), cfg, {
        namespace: 'fobridge',
      }),
    );
    expect(r.identity).toMatchObject({ customerAccount: 'US-027', contactPersonId: 'CP-1' });
    expectRejected(
      mapContactToContactPerson(contact(), cfg, { namespace: 'fobridge' }),
      'UNMAPPED_LEGAL_ENTITY',
      'Account.fobridge__D365_Legal_Entity__c',
    );
  });
});

describe('mapContactUpdate', () => {
  it('builds a PATCH body keyed by the contact person id, clearing emptied fields', () => {
    const r = expectOk(
      mapContactUpdate(contact({ D365_Contact_Person_Id__c: '000312', Title: undefined }), cfg),
    );
    expect(r.identity.key).toEqual({ dataAreaId: 'usmf', ContactPersonId: '000312' });
    expect(r.entity).toEqual({
      FirstName: 'Julia',
      MiddleName: '',
      LastName: 'Funk',
      EmploymentJobTitle: '',
      EmploymentDepartment: '',
      PrimaryEmailAddress: 'julia.funk@fabrikam.example.com',
      PrimaryPhoneNumber: '+1 425 555 0142',
      IsPrimaryPhoneNumberMobile: 'No',
    });
  });

  it('needs the contact person id', () => {
    expectRejected(mapContactUpdate(contact(), cfg), 'MISSING_REQUIRED_FIELD', 'D365_Contact_Person_Id__c');
  });
});
