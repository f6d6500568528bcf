/**
 * Flow 2: Contact → F&O contact person (`ContactPersons`, reference d365.md §1.2).
 *
 * A contact person hangs off its customer's *party* (`AssociatedPartyNumber`), not the customer account.
 * Salesforce only knows the account number (`Account.D365_Customer_Number__c`), so the flow reads the
 * customer's `PartyNumber` from F&O and passes it in `customerPartyNumber`; the identity carries the
 * account number to look it up with. No account number yet → `PARENT_NOT_SYNCED` (transient): the job
 * waits for the account flow.
 */
import { addressFields, readAddress } from './address.js';
import type { BridgeConfig, CompanyConfig } from './bridge-config.js';
import { extraFieldValues, type FnoScalar } from './extra-fields.js';
import { fnoTextBody } from './fno-text.js';
import { cleanText } from './names.js';
import { ContactRecord, apiName, readText, type ReadOptions } from './records.js';
import { isRejection, mappedRecord, reject, type MapResult, type Mapped, type Rejection } from './result.js';
import { parentCustomerAccount } from './parent.js';
import { parseAndRoute, readThenMap } from './routing.js';

export type ContactPersonBody = Record<string, FnoScalar>;

export interface ContactPersonIdentity {
  /** The Contact Id. */
  salesforceId: string;
  company: string;
  /** The parent customer (`Account.D365_Customer_Number__c`): where to read `PartyNumber` from. */
  customerAccount: string;
  /** `D365_Contact_Person_Id__c` when the contact was synced before (then PATCH instead of POST). */
  contactPersonId: string | undefined;
  /** True when the body still lacks `AssociatedPartyNumber` (no `customerPartyNumber` was passed). */
  needsPartyNumber: boolean;
  /**
   * How a retry after an ambiguous failure finds the contact person: the Contact Id in the
   * configured correlation field (`contact.correlationField`, all fields `eq`).
   */
  lookup: { dataAreaId: string; fields: Record<string, string> };
  version: string | undefined;
}

export interface ContactPersonUpdateIdentity {
  salesforceId: string;
  company: string;
  key: { dataAreaId: string; ContactPersonId: string };
  version: string | undefined;
}

export interface ContactMapOptions extends ReadOptions {
  /** The parent Account, when it is not nested in the Contact as `Account`. */
  account?: unknown;
  /** The parent customer's `PartyNumber` in F&O (`CustomersV3.PartyNumber`), read by the flow. */
  customerPartyNumber?: string;
}

const CONTACT_ADDRESS = {
  street: 'PrimaryAddressStreet',
  streetNumber: 'PrimaryAddressStreetNumber',
  city: 'PrimaryAddressCity',
  zipCode: 'PrimaryAddressZipCode',
  state: 'PrimaryAddressStateId',
  countryRegionId: 'PrimaryAddressCountryRegionId',
  countryIsoCode: 'PrimaryAddressCountryRegionISOCode',
};

/** Where each ContactPersons field came from in the Contact, for an `INVALID_TEXT` reason. */
const CONTACT_SOURCE: Readonly<Record<string, string>> = {
  LastName: 'LastName',
  FirstName: 'FirstName',
  MiddleName: 'MiddleName',
  EmploymentJobTitle: 'Title',
  EmploymentDepartment: 'Department',
  PrimaryEmailAddress: 'Email',
  PrimaryPhoneNumber: 'Phone',
  PrimaryAddressStreet: 'MailingStreet',
  PrimaryAddressStreetNumber: 'MailingStreet',
  PrimaryAddressCity: 'MailingCity',
  PrimaryAddressZipCode: 'MailingPostalCode',
  PrimaryAddressStateId: 'MailingState',
};

const CONTACT_MULTI_LINE: ReadonlySet<string> = new Set(['PrimaryAddressStreet']);

/** A Contact read once per job: parsed and routed to its company through its Account. */
export interface ContactToSync {
  ok: true;
  contact: ContactRecord;
  company: string;
  companyCfg: CompanyConfig;
}

/** Parses and routes a Contact; the mappers below take the result, so this runs once per job. */
export function readContact(
  input: unknown,
  cfg: BridgeConfig,
  opts: ContactMapOptions = {},
): ContactToSync | Rejection {
  const routed = parseAndRoute(ContactRecord, 'Contact', input, cfg, opts, (parsed) =>
    opts.account === undefined ? parsed : ({ ...parsed, Account: opts.account } as ContactRecord),
  );
  if (isRejection(routed)) return routed;
  return { ok: true, contact: routed.record, company: routed.company, companyCfg: routed.companyCfg };
}

/** The ContactPersons fields Salesforce owns; with `update`, emptied ones are sent as "". */
function contactBody(
  read: ContactToSync,
  cfg: BridgeConfig,
  opts: ReadOptions,
  update: boolean,
): ContactPersonBody | Rejection {
  const { contact, companyCfg } = read;
  const last = contact.LastName ? cleanText(contact.LastName) : '';
  if (!last) return reject('MISSING_REQUIRED_FIELD', 'The Contact has no last name.', 'LastName');
  const text = (value: string | null | undefined): string => (value ? value.trim() : '');
  const phone = text(contact.Phone);
  const mobile = text(contact.MobilePhone);
  const optional: Array<[string, string]> = [
    ['FirstName', contact.FirstName ? cleanText(contact.FirstName) : ''],
    ['MiddleName', contact.MiddleName ? cleanText(contact.MiddleName) : ''],
    ['EmploymentJobTitle', text(contact.Title)],
    ['EmploymentDepartment', text(contact.Department)],
    ['PrimaryEmailAddress', text(contact.Email)],
    ['PrimaryPhoneNumber', phone || mobile],
  ];
  const body: ContactPersonBody = { LastName: last };
  for (const [field, value] of optional) {
    if (value) body[field] = value;
    else if (update) body[field] = '';
  }
  if (phone || mobile || update) body.IsPrimaryPhoneNumberMobile = !phone && mobile ? 'Yes' : 'No';

  const address = readAddress(contact, 'Mailing', cfg, companyCfg, opts);
  if (isRejection(address)) return address;
  if (address) Object.assign(body, addressFields(address, CONTACT_ADDRESS, update));
  const extra = extraFieldValues(contact, cfg.contact.extraFields, { ...opts, clearMissing: update });
  if (isRejection(extra)) return extra;
  Object.assign(body, extra);
  return fnoTextBody(body, {
    multiLine: CONTACT_MULTI_LINE,
    source: (f) => cfg.contact.extraFields[f] ?? CONTACT_SOURCE[f],
  });
}

/**
 * The ContactPersons POST body for a new contact person, without `AssociatedPartyNumber` (the
 * flow reads it from the parent customer and adds it with `contactPersonWithParty`).
 */
export function newContactPerson(
  read: ContactToSync,
  cfg: BridgeConfig,
  opts: ReadOptions = {},
): MapResult<ContactPersonBody, ContactPersonIdentity> {
  const { contact, company } = read;
  const common = contactBody(read, cfg, opts, false);
  if (isRejection(common)) return common;
  const customer = parentCustomerAccount(contact, { ...opts, objectType: 'Contact', retried: 'it' });
  if (isRejection(customer)) return customer;
  const body: ContactPersonBody = { dataAreaId: company, ...common };
  const existing = readText(contact, 'D365_Contact_Person_Id__c', opts);
  if (isRejection(existing)) return existing;

  // The Contact Id stays in F&O with the contact person: how a retry finds it, and the proof
  // before any later update that it is this Contact's.
  const correlationField = cfg.contact.correlationField;
  body[correlationField] = contact.Id;
  const lookupFields: Record<string, string> = { [correlationField]: contact.Id };
  return mappedRecord(company, body, contact, {
    customerAccount: customer.value,
    contactPersonId: existing.value,
    needsPartyNumber: true,
    lookup: { dataAreaId: company, fields: lookupFields },
  });
}

/** The new contact person attached to its customer's party (`CustomersV3.PartyNumber`). */
export function contactPersonWithParty(
  person: Mapped<ContactPersonBody, ContactPersonIdentity>,
  partyNumber: string | undefined,
): Mapped<ContactPersonBody, ContactPersonIdentity> {
  const party = partyNumber?.trim();
  if (!party) return person;
  return {
    ...person,
    entity: { ...person.entity, AssociatedPartyNumber: party },
    identity: { ...person.identity, needsPartyNumber: false },
  };
}

/** The ContactPersons POST body for a new contact person. */
export const mapContactToContactPerson = readThenMap(
  readContact,
  (read, cfg, opts: ContactMapOptions): MapResult<ContactPersonBody, ContactPersonIdentity> => {
    const person = newContactPerson(read, cfg, opts);
    return isRejection(person) ? person : contactPersonWithParty(person, opts.customerPartyNumber);
  },
);

/** The ContactPersons PATCH body: what Salesforce owns, fields emptied there sent as "". */
export function contactChanges(
  read: ContactToSync,
  cfg: BridgeConfig,
  opts: ReadOptions = {},
): ContactPersonBody | Rejection {
  return contactBody(read, cfg, opts, true);
}

/**
 * The ContactPersons PATCH body for a contact synced before (`D365_Contact_Person_Id__c`). Fields
 * emptied in Salesforce are sent as "".
 */
export const mapContactUpdate = readThenMap(readContact, contactUpdate);

function contactUpdate(
  read: ContactToSync,
  cfg: BridgeConfig,
  opts: ContactMapOptions,
): MapResult<ContactPersonBody, ContactPersonUpdateIdentity> {
  const body = contactChanges(read, cfg, opts);
  if (isRejection(body)) return body;
  const { contact, company } = read;
  const id = readText(contact, 'D365_Contact_Person_Id__c', opts);
  if (isRejection(id)) return id;
  if (!id.value) {
    return reject(
      'MISSING_REQUIRED_FIELD',
      `The Contact has no ${apiName('D365_Contact_Person_Id__c', opts.namespace)} yet: create the contact person first.`,
      id.field,
    );
  }
  return mappedRecord(company, body, contact, { key: { dataAreaId: company, ContactPersonId: id.value } });
}
