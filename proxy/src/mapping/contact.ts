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
import type { BridgeConfig } from './bridge-config.js';
import { extraFieldValues, type FnoScalar } from './extra-fields.js';
import { fnoTextBody } from './fno-text.js';
import { cleanText } from './names.js';
import { ContactRecord, apiName, parseRecord, readText, valueAt, type ReadOptions } from './records.js';
import { isRejection, reject, type MapResult, type Rejection } from './result.js';
import { routeLegalEntity } from './routing.js';

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

interface Common {
  contact: ContactRecord;
  company: string;
  body: ContactPersonBody;
}

function mapCommon(
  input: unknown,
  cfg: BridgeConfig,
  opts: ContactMapOptions,
  update: boolean,
): Common | Rejection {
  const parsed = parseRecord(ContactRecord, input, 'Contact');
  if (isRejection(parsed)) return parsed;
  const contact: ContactRecord =
    opts.account === undefined ? parsed : ({ ...parsed, Account: opts.account } as ContactRecord);
  const route = routeLegalEntity(contact, cfg, opts);
  if (!route.ok) return route;
  const companyCfg = cfg.companies[route.company]!;

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
  const checked = fnoTextBody(body, {
    multiLine: CONTACT_MULTI_LINE,
    source: (f) => cfg.contact.extraFields[f] ?? CONTACT_SOURCE[f],
  });
  if (isRejection(checked)) return checked;
  return { contact, company: route.company, body: checked };
}

/** The ContactPersons POST body for a new contact person. */
export function mapContactToContactPerson(
  input: unknown,
  cfg: BridgeConfig,
  opts: ContactMapOptions = {},
): MapResult<ContactPersonBody, ContactPersonIdentity> {
  const common = mapCommon(input, cfg, opts, false);
  if (isRejection(common)) return common;
  const { contact, company } = common;
  const customer = readText(valueAt(contact, ['Account']), 'D365_Customer_Number__c', {
    ...opts,
    label: 'Account',
  });
  if (isRejection(customer)) return customer;
  if (!customer.value) {
    return reject(
      'PARENT_NOT_SYNCED',
      `The Contact's Account is not in F&O yet (${customer.field} is empty); it is retried after the Account has been synced.`,
      customer.field,
    );
  }
  const partyNumber = opts.customerPartyNumber?.trim();
  const body: ContactPersonBody = { dataAreaId: company, ...common.body };
  if (partyNumber) body.AssociatedPartyNumber = partyNumber;
  const existing = readText(contact, 'D365_Contact_Person_Id__c', opts);
  if (isRejection(existing)) return existing;

  // The Contact Id stays in F&O with the contact person: how a retry finds it, and the proof
  // before any later update that it is this Contact's.
  const correlationField = cfg.contact.correlationField;
  body[correlationField] = contact.Id;
  const lookupFields: Record<string, string> = { [correlationField]: contact.Id };
  return {
    ok: true,
    company,
    entity: body,
    identity: {
      salesforceId: contact.Id,
      company,
      customerAccount: customer.value,
      contactPersonId: existing.value,
      needsPartyNumber: !partyNumber,
      lookup: { dataAreaId: company, fields: lookupFields },
      version: contact.SystemModstamp ?? undefined,
    },
    warnings: [],
  };
}

/**
 * The ContactPersons PATCH body for a contact synced before (`D365_Contact_Person_Id__c`). Fields
 * emptied in Salesforce are sent as "".
 */
export function mapContactUpdate(
  input: unknown,
  cfg: BridgeConfig,
  opts: ContactMapOptions = {},
): MapResult<ContactPersonBody, ContactPersonUpdateIdentity> {
  const common = mapCommon(input, cfg, opts, true);
  if (isRejection(common)) return common;
  const { contact, company, body } = common;
  const id = readText(contact, 'D365_Contact_Person_Id__c', opts);
  if (isRejection(id)) return id;
  if (!id.value) {
    return reject(
      'MISSING_REQUIRED_FIELD',
      `The Contact has no ${apiName('D365_Contact_Person_Id__c', opts.namespace)} yet: create the contact person first.`,
      id.field,
    );
  }
  return {
    ok: true,
    company,
    entity: body,
    identity: {
      salesforceId: contact.Id,
      company,
      key: { dataAreaId: company, ContactPersonId: id.value },
      version: contact.SystemModstamp ?? undefined,
    },
    warnings: [],
  };
}
