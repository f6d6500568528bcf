/** CustomersV3 (reference §1.1) and ContactPersons (§1.2). */
import type { InfologLine } from '../odata/errors.js';
import {
  CURRENCIES,
  companyPrefix,
  fillCountryPair,
  findIn,
  formatAddress,
  mustBeFilled,
  normaliseLanguage,
  notFound,
  pad,
  str,
} from './helpers.js';
import { MAX_DATETIME, loadSchema, toDateTime, type Row } from './schema.js';
import type { EntityDef, WriteContext } from './types.js';

const CUSTOMER_AOT = 'CustCustomerV3Entity';

/** Explicit keys in the sequence's own format move the sequence past them (keeps later numbers unique). */
export function bumpFromExplicit(
  ctx: WriteContext,
  company: string,
  sequence: string,
  prefix: string,
  value: string,
): void {
  const m = new RegExp(`^${prefix}(\\d+)$`, 'i').exec(value);
  if (m) ctx.store.bumpSequence(company, sequence, Number(m[1]));
}

export function customerAccountFormat(company: string): (n: number) => string {
  return (n) => `${companyPrefix(company)}-${pad(n, 3)}`;
}

function fillAddress(row: Row, ctx: WriteContext): void {
  fillCountryPair(row, 'AddressCountryRegionId', 'AddressCountryRegionISOCode');
  fillCountryPair(row, 'DeliveryAddressCountryRegionId', 'DeliveryAddressCountryRegionISOCode');
  fillCountryPair(row, 'InvoiceAddressCountryRegionId', 'InvoiceAddressCountryRegionISOCode');
  const hasAddress = ['AddressStreet', 'AddressCity', 'AddressZipCode', 'AddressCountryRegionId'].some(
    (f) => str(row, f) !== '',
  );
  if (hasAddress) {
    if (str(row, 'AddressValidFrom').startsWith('1900')) row.AddressValidFrom = toDateTime(ctx.now);
    if (str(row, 'AddressValidTo').startsWith('1900')) row.AddressValidTo = MAX_DATETIME;
    if (!str(row, 'AddressLocationRoles')) row.AddressLocationRoles = 'Business';
  }
  row.FullPrimaryAddress = formatAddress(
    [str(row, 'AddressStreetNumber'), str(row, 'AddressStreet')].filter(Boolean).join(' '),
    str(row, 'AddressCity'),
    str(row, 'AddressState'),
    str(row, 'AddressZipCode'),
    str(row, 'AddressCountryRegionId'),
  );
}

export const customers: EntityDef = {
  set: 'CustomersV3',
  typeName: 'CustomerV3',
  aotName: CUSTOMER_AOT,
  tableLabel: 'Customers',
  tableName: 'CustTable',
  schema: loadSchema('CustomersV3'),
  companyScoped: true,
  writable: true,
  navigation: {},
  dmfNames: ['Customers V3', 'Customers', CUSTOMER_AOT, 'CustomerV3', 'CustomersV3'],
  describeKey: (row) =>
    `Customer account: ${str(row, 'CustomerAccount')}${str(row, 'OrganizationName') ? `, ${str(row, 'OrganizationName')}` : ''}`,

  onCreate(row, ctx, explicit) {
    const company = str(row, 'dataAreaId');
    if (!str(row, 'CustomerAccount')) {
      row.CustomerAccount = ctx.store.nextNumber(company, 'customer', customerAccountFormat(company));
    } else {
      bumpFromExplicit(ctx, company, 'customer', `${companyPrefix(company)}-`, str(row, 'CustomerAccount'));
    }
    if (!explicit.has('PartyType')) {
      const person =
        !str(row, 'OrganizationName') && (str(row, 'PersonFirstName') || str(row, 'PersonLastName'));
      row.PartyType = person ? 'Person' : 'Organization';
    }
    if (!str(row, 'PartyNumber')) row.PartyNumber = ctx.store.nextNumber('', 'party', (n) => pad(n, 9));
    const name =
      row.PartyType === 'Person'
        ? [str(row, 'PersonFirstName'), str(row, 'PersonMiddleName'), str(row, 'PersonLastName')]
            .filter(Boolean)
            .join(' ')
        : str(row, 'OrganizationName');
    if (row.PartyType === 'Person' && !str(row, 'OrganizationName')) row.OrganizationName = name;
    // Observed on the wire: the search name is the name cut to 20 characters.
    row.NameAlias = (str(row, 'NameAlias') || name).slice(0, 20);
    row.LanguageId = normaliseLanguage(str(row, 'LanguageId') || 'en-US');
    const group = findIn(
      ctx.store,
      'CustomerGroups',
      company,
      'CustomerGroupId',
      str(row, 'CustomerGroupId'),
    );
    if (group && !str(row, 'PaymentTerms')) row.PaymentTerms = str(group, 'PaymentTermId');
    fillAddress(row, ctx);
  },

  validate(row, ctx, op, before) {
    const lines: InfologLine[] = [];
    const company = str(row, 'dataAreaId');
    const group = str(row, 'CustomerGroupId');
    if (!group) lines.push(...mustBeFilled('Customer group', 'CustTable (CustTable)'));
    else if (
      (op === 'create' || group !== before?.CustomerGroupId) &&
      !findIn(ctx.store, 'CustomerGroups', company, 'CustomerGroupId', group)
    ) {
      lines.push(...notFound(group, 'Customer group', 'Customer groups', CUSTOMER_AOT, 'CustomerGroupId'));
    }
    const currency = str(row, 'SalesCurrencyCode');
    if (!currency) lines.push(...mustBeFilled('Currency', 'CustTable (CustTable)'));
    else if (!CURRENCIES.has(currency.toUpperCase())) {
      lines.push(...notFound(currency, 'Currency', 'Currency', CUSTOMER_AOT, 'SalesCurrencyCode'));
    }
    if (op === 'update') fillAddress(row, ctx);
    return lines;
  },
};

const CONTACT_AOT = 'SmmContactPersonV2Entity';

export const contactPersons: EntityDef = {
  set: 'ContactPersons',
  typeName: 'ContactPerson',
  aotName: CONTACT_AOT,
  tableLabel: 'Contact persons',
  tableName: 'ContactPerson',
  schema: loadSchema('ContactPersons'),
  companyScoped: true,
  writable: true,
  navigation: {},
  dmfNames: ['Contact persons', 'Contact persons V2', CONTACT_AOT, 'ContactPerson', 'ContactPersons'],
  describeKey: (row) => `Contact person ID: ${str(row, 'ContactPersonId')}`,

  onCreate(row, ctx) {
    const company = str(row, 'dataAreaId');
    if (!str(row, 'ContactPersonId'))
      row.ContactPersonId = ctx.store.nextNumber(company, 'contact', (n) => `CP-${pad(n, 6)}`);
    if (!str(row, 'ContactPersonPartyNumber'))
      row.ContactPersonPartyNumber = ctx.store.nextNumber('', 'party', (n) => pad(n, 9));
    row.ContactPersonPartyType = 'Person';
    fillContact(row, ctx);
  },

  validate(row, ctx, op) {
    const lines: InfologLine[] = [];
    if (!str(row, 'FirstName') && !str(row, 'LastName'))
      lines.push(...mustBeFilled('Last name', 'ContactPerson (ContactPerson)'));
    const party = str(row, 'AssociatedPartyNumber');
    if (party && !findIn(ctx.store, 'CustomersV3', str(row, 'dataAreaId'), 'PartyNumber', party)) {
      lines.push(...notFound(party, 'Party number', 'Party', CONTACT_AOT, 'AssociatedPartyNumber'));
    }
    if (op === 'update') fillContact(row, ctx);
    return lines;
  },
};

function fillContact(row: Row, ctx: WriteContext): void {
  row.ContactPersonName = [str(row, 'FirstName'), str(row, 'MiddleName'), str(row, 'LastName')]
    .filter(Boolean)
    .join(' ');
  if (!str(row, 'SearchName')) row.SearchName = row.ContactPersonName;
  fillCountryPair(row, 'PrimaryAddressCountryRegionId', 'PrimaryAddressCountryRegionISOCode');
  row.LastEditDateTime = toDateTime(ctx.now);
}
