/**
 * Flow 1: Account → F&O customer (`CustomersV3`, reference d365.md §1.1).
 *
 * Create: `mapAccountToCustomer` gives the POST body with the company defaults and a deterministic
 * identity (docs/flows.md, "Create-once guarantees"). Update: `mapAccountUpdate` gives the PATCH body with
 * only what Salesforce owns (name, address, phone, web site, e-mail, extra fields); group, currency,
 * terms and the search name are set once at creation and belong to F&O afterwards.
 */
import { addressFields, readAddress, type AddressParts } from './address.js';
import {
  customerCorrelationField,
  numberingFor,
  type BridgeConfig,
  type CompanyConfig,
  type CustomerNumbering,
} from './bridge-config.js';
import { recordCurrency } from './currency.js';
import { extraFieldValues, type FnoScalar } from './extra-fields.js';
import { fnoTextBody } from './fno-text.js';
import { ORGANIZATION_NAME_MAX, cleanText, searchName, truncateAtWord } from './names.js';
import { AccountRecord, apiName, readText, type ReadOptions } from './records.js';
import {
  isRejection,
  mappedRecord,
  reject,
  type MapResult,
  type Mapped,
  type MappingWarning,
  type Rejection,
} from './result.js';
import { parseAndRoute, readThenMap } from './routing.js';

/** A CustomersV3 body (POST) or partial body (PATCH): F&O field name → value. */
export type CustomerBody = Record<string, FnoScalar>;

/** How a retry after an ambiguous failure finds the customer F&O may already have created. */
export type CustomerLookup =
  | { by: 'key'; dataAreaId: string; CustomerAccount: string }
  | { by: 'correlation'; dataAreaId: string; field: string; value: string };

export interface CustomerIdentity {
  /** The Account Id. */
  salesforceId: string;
  company: string;
  numbering: CustomerNumbering['mode'];
  /** Known before the POST with `proxyRange` (the allocated number); undefined with `fnoSequence`. */
  customerAccount: string | undefined;
  /** `D365_Customer_Number__c` when the Account was synced before (then PATCH with mapAccountUpdate instead). */
  existingCustomerAccount: string | undefined;
  lookup: CustomerLookup;
  /** `SystemModstamp` of the record (job version), when sent. */
  version: string | undefined;
}

export interface CustomerUpdateIdentity {
  salesforceId: string;
  company: string;
  /** PATCH key: `CustomersV3(dataAreaId='…',CustomerAccount='…')`. */
  key: { dataAreaId: string; CustomerAccount: string };
  version: string | undefined;
}

export interface CustomerMapOptions extends ReadOptions {
  /**
   * `proxyRange` numbering: the number allocated for this Account (from `customerAccountFromSequence`)
   * and persisted with the job before the first attempt, so every retry sends the same key.
   */
  customerAccount?: string;
}

/**
 * The customer account for the `n`-th number of the company's proxy range (`SF000042`), or
 * `NUMBER_RANGE_EXHAUSTED` once past `end`. The flow keeps the counter (per company) in its store.
 */
export function customerAccountFromSequence(
  n: number,
  cfg: BridgeConfig,
  company: string,
): { ok: true; customerAccount: string } | Rejection {
  const numbering = numberingFor(cfg, company);
  if (numbering.mode !== 'proxyRange') {
    return reject(
      'CUSTOMER_ACCOUNT_NOT_ALLOCATED',
      `Company ${company} uses F&O's number sequence; the proxy assigns no numbers.`,
    );
  }
  if (!Number.isSafeInteger(n) || n < numbering.start || n > numbering.end) {
    return reject(
      'NUMBER_RANGE_EXHAUSTED',
      `Customer number ${n} is outside the proxy range ${numbering.start}–${numbering.end} for ${company}: widen customerNumbering in the bridge config (and the matching range in F&O).`,
    );
  }
  return { ok: true, customerAccount: `${numbering.prefix}${String(n).padStart(numbering.width, '0')}` };
}

interface NameParts {
  body: CustomerBody;
  /** The organisation (or person) name as F&O will show it. */
  displayName: string;
  warnings: MappingWarning[];
}

function mapName(account: AccountRecord, cfg: BridgeConfig): NameParts | Rejection {
  const warnings: MappingWarning[] = [];
  if (account.IsPersonAccount) {
    const first = account.FirstName ? cleanText(account.FirstName) : '';
    const last = account.LastName ? cleanText(account.LastName) : '';
    if (!last) return reject('MISSING_REQUIRED_FIELD', 'A person account needs a last name.', 'LastName');
    const body: CustomerBody = { PartyType: 'Person', PersonLastName: last };
    if (first) body.PersonFirstName = first;
    return { body, displayName: [first, last].filter(Boolean).join(' '), warnings };
  }
  const full = account.Name ? cleanText(account.Name) : '';
  if (!full) return reject('MISSING_REQUIRED_FIELD', 'The Account has no name.', 'Name');
  const name = truncateAtWord(full, ORGANIZATION_NAME_MAX);
  const body: CustomerBody = { PartyType: 'Organization', OrganizationName: name };
  if (name !== full) {
    const where = cfg.customer.fullNameField;
    warnings.push({
      code: 'NAME_TRUNCATED',
      field: 'Name',
      message: `The name has ${full.length} characters; F&O keeps ${ORGANIZATION_NAME_MAX}, so it was cut to "${name}"${where ? ` (the full name is in ${where})` : ''}.`,
    });
    if (where) body[where] = full;
  }
  return { body, displayName: name, warnings };
}

const CUSTOMER_ADDRESS = {
  street: 'AddressStreet',
  streetNumber: 'AddressStreetNumber',
  city: 'AddressCity',
  zipCode: 'AddressZipCode',
  state: 'AddressState',
  countryRegionId: 'AddressCountryRegionId',
  countryIsoCode: 'AddressCountryRegionISOCode',
};

/** Where each CustomersV3 field of a body came from in the Account, for an `INVALID_TEXT` reason. */
function customerSource(cfg: BridgeConfig): (fnoField: string) => string | undefined {
  const a = cfg.customer.addressSource;
  const fixed: Record<string, string> = {
    OrganizationName: 'Name',
    NameAlias: 'Name',
    PersonFirstName: 'FirstName',
    PersonLastName: 'LastName',
    AddressStreet: `${a}Street`,
    AddressStreetNumber: `${a}Street`,
    AddressCity: `${a}City`,
    AddressZipCode: `${a}PostalCode`,
    AddressState: `${a}State`,
    PrimaryContactPhone: 'Phone',
    PrimaryContactURL: 'Website',
    PrimaryContactFax: 'Fax',
    PrimaryContactEmail: 'Email',
  };
  if (cfg.customer.fullNameField) fixed[cfg.customer.fullNameField] = 'Name';
  return (f) => cfg.customer.extraFields[f] ?? fixed[f];
}

const CUSTOMER_MULTI_LINE: ReadonlySet<string> = new Set(['AddressStreet']);

/** Phone, web site, fax and (a custom `Email` field, when the org has one) e-mail. */
function contactChannels(account: AccountRecord, clearMissing: boolean): CustomerBody {
  const out: CustomerBody = {};
  const channels: Array<[string, unknown]> = [
    ['PrimaryContactPhone', account.Phone],
    ['PrimaryContactURL', account.Website],
    ['PrimaryContactFax', account.Fax],
    ['PrimaryContactEmail', (account as Record<string, unknown>).Email],
  ];
  for (const [field, value] of channels) {
    const text = typeof value === 'string' ? value.trim() : '';
    if (text) out[field] = text;
    else if (clearMissing && field !== 'PrimaryContactEmail') out[field] = '';
  }
  return out;
}

/** An Account read once per job: parsed, routed to its company, its name and address read. */
export interface AccountToSync {
  ok: true;
  account: AccountRecord;
  company: string;
  companyCfg: CompanyConfig;
  name: NameParts;
  address: AddressParts | undefined;
}

/** Parses and routes an Account; the mappers below take the result, so this runs once per job. */
export function readAccount(
  input: unknown,
  cfg: BridgeConfig,
  opts: ReadOptions = {},
): AccountToSync | Rejection {
  const routed = parseAndRoute(AccountRecord, 'Account', input, cfg, opts);
  if (isRejection(routed)) return routed;
  const { record: account, company, companyCfg } = routed;
  const name = mapName(account, cfg);
  if (isRejection(name)) return name;
  const address = readAddress(account, cfg.customer.addressSource, cfg, companyCfg, opts);
  if (isRejection(address)) return address;
  return { ok: true, account, company, companyCfg, name, address };
}

/** A new customer's POST body without its customer account (`customerWithAccount` adds it). */
export interface NewCustomerIdentity {
  salesforceId: string;
  company: string;
  numbering: CustomerNumbering['mode'];
  existingCustomerAccount: string | undefined;
  version: string | undefined;
}

/**
 * The CustomersV3 POST body for a new customer, every value checked, but no `CustomerAccount`
 * yet: with `proxyRange` numbering a number is spent only on a record that can become a customer.
 */
export function newCustomer(
  read: AccountToSync,
  cfg: BridgeConfig,
  opts: ReadOptions = {},
): MapResult<CustomerBody, NewCustomerIdentity> {
  const { account, company, companyCfg, name, address } = read;

  const currency = recordCurrency(account.CurrencyIsoCode, company, companyCfg);
  if (isRejection(currency)) return currency;

  const body: CustomerBody = { dataAreaId: company, ...name.body, NameAlias: searchName(name.displayName) };
  body.CustomerGroupId = companyCfg.customerGroup;
  body.SalesCurrencyCode = currency;
  if (companyCfg.paymentTerms) body.PaymentTerms = companyCfg.paymentTerms;
  if (companyCfg.paymentMethod) body.PaymentMethod = companyCfg.paymentMethod;
  if (companyCfg.deliveryMode) body.DeliveryMode = companyCfg.deliveryMode;
  if (companyCfg.deliveryTerms) body.DeliveryTerms = companyCfg.deliveryTerms;
  if (companyCfg.salesTaxGroup) body.SalesTaxGroup = companyCfg.salesTaxGroup;
  if (companyCfg.language) body.LanguageId = companyCfg.language;
  if (address) Object.assign(body, addressFields(address, CUSTOMER_ADDRESS));
  Object.assign(body, contactChannels(account, false));
  const extra = extraFieldValues(account, cfg.customer.extraFields, opts);
  if (isRejection(extra)) return extra;
  Object.assign(body, extra);

  const existing = readText(account, 'D365_Customer_Number__c', opts);
  if (isRejection(existing)) return existing;

  // The Account Id stays in F&O with the customer: the proof, read before any later update, that
  // this customer is this Account's (whatever the proxy's own store remembers).
  body[customerCorrelationField(cfg, company)] = account.Id;
  const entity = fnoTextBody(body, { multiLine: CUSTOMER_MULTI_LINE, source: customerSource(cfg) });
  if (isRejection(entity)) return entity;
  return mappedRecord(
    company,
    entity,
    account,
    { numbering: numberingFor(cfg, company).mode, existingCustomerAccount: existing.value },
    name.warnings,
  );
}

/**
 * The new customer's body with its customer account: the allocated number (`proxyRange`, looked
 * up by key) or, with `fnoSequence`, none or a given one (looked up by the correlation field).
 */
export function customerWithAccount(
  customer: Mapped<CustomerBody, NewCustomerIdentity>,
  cfg: BridgeConfig,
  customerAccount: string | undefined,
): MapResult<CustomerBody, CustomerIdentity> {
  const { company, identity } = customer;
  const numbering = numberingFor(cfg, company);
  const allocated = customerAccount?.trim();
  const entity: CustomerBody = { ...customer.entity };
  let lookup: CustomerLookup;
  if (numbering.mode === 'proxyRange') {
    if (!allocated) {
      return reject(
        'CUSTOMER_ACCOUNT_NOT_ALLOCATED',
        `Company ${company} numbers customers from the proxy range, but no number was allocated for this Account.`,
      );
    }
    lookup = { by: 'key', dataAreaId: company, CustomerAccount: allocated };
  } else {
    lookup = {
      by: 'correlation',
      dataAreaId: company,
      field: numbering.correlationField,
      value: identity.salesforceId,
    };
  }
  if (allocated) {
    const checked = fnoTextBody({ CustomerAccount: allocated });
    if (isRejection(checked)) return checked;
    entity.CustomerAccount = checked.CustomerAccount!;
  }
  return {
    ...customer,
    entity,
    identity: { ...identity, customerAccount: allocated || undefined, lookup },
  };
}

/** The CustomersV3 POST body for a new customer, or why the Account cannot become one. */
export const mapAccountToCustomer = readThenMap(
  readAccount,
  (read, cfg, opts: CustomerMapOptions): MapResult<CustomerBody, CustomerIdentity> => {
    const customer = newCustomer(read, cfg, opts);
    return isRejection(customer) ? customer : customerWithAccount(customer, cfg, opts.customerAccount);
  },
);

/**
 * The CustomersV3 PATCH body with only what Salesforce owns. Fields emptied in Salesforce are
 * sent as "" so F&O does not keep stale values; the address is only written when the Account has
 * one (an Account whose address was removed keeps the F&O address).
 */
export function customerChanges(
  read: AccountToSync,
  cfg: BridgeConfig,
  opts: ReadOptions = {},
): CustomerBody | Rejection {
  const { account, name, address } = read;
  const body: CustomerBody = { ...name.body };
  delete body.PartyType; // fixed at creation
  if (address) Object.assign(body, addressFields(address, CUSTOMER_ADDRESS, true));
  Object.assign(body, contactChannels(account, true));
  const extra = extraFieldValues(account, cfg.customer.extraFields, { ...opts, clearMissing: true });
  if (isRejection(extra)) return extra;
  Object.assign(body, extra);
  return fnoTextBody(body, { multiLine: CUSTOMER_MULTI_LINE, source: customerSource(cfg) });
}

/** The CustomersV3 PATCH for an Account that already has its customer (`D365_Customer_Number__c`). */
export const mapAccountUpdate = readThenMap(readAccount, accountUpdate);

function accountUpdate(
  read: AccountToSync,
  cfg: BridgeConfig,
  opts: ReadOptions,
): MapResult<CustomerBody, CustomerUpdateIdentity> {
  const { account, company } = read;
  const number = readText(account, 'D365_Customer_Number__c', opts);
  if (isRejection(number)) return number;
  if (!number.value) {
    return reject(
      'MISSING_REQUIRED_FIELD',
      `The Account has no ${apiName('D365_Customer_Number__c', opts.namespace)} yet: create the customer first.`,
      number.field,
    );
  }
  const entity = customerChanges(read, cfg, opts);
  if (isRejection(entity)) return entity;
  return mappedRecord(
    company,
    entity,
    account,
    { key: { dataAreaId: company, CustomerAccount: number.value } },
    read.name.warnings,
  );
}
