import { field, lookup, readOnly } from './field-builder.js';
import type { FieldDef, ObjectDef } from './types.js';

/**
 * The standard objects and fields the project uses, as a real org describes them. A field
 * that is not listed here (and not in `force-app/`) is INVALID_FIELD, exactly as in an org
 * without it. State/country picklists are modelled as plain text codes (not restricted).
 */

const systemFields = (): FieldDef[] => [
  readOnly('Id', 'id', { nillable: false, idLookup: true, label: 'Record ID' }),
  readOnly('IsDeleted', 'boolean', { label: 'Deleted', defaultValue: false }),
  readOnly('CreatedDate', 'datetime', { label: 'Created Date' }),
  lookup('CreatedById', 'User', { createable: false, updateable: false, label: 'Created By ID' }),
  readOnly('LastModifiedDate', 'datetime', { label: 'Last Modified Date' }),
  lookup('LastModifiedById', 'User', { createable: false, updateable: false, label: 'Last Modified By ID' }),
  readOnly('SystemModstamp', 'datetime', { label: 'System Modstamp' }),
];

const owner = (): FieldDef => lookup('OwnerId', 'User', { label: 'Owner ID', relationshipName: 'Owner' });
const currency = (): FieldDef =>
  field('CurrencyIsoCode', 'picklist', { length: 3, label: 'Currency ISO Code', defaultValue: 'USD' });

function address(prefix: string): FieldDef[] {
  return [
    field(`${prefix}Street`, 'textarea', { length: 255 }),
    field(`${prefix}City`, 'string', { length: 40 }),
    field(`${prefix}State`, 'string', { length: 80 }),
    field(`${prefix}PostalCode`, 'string', { length: 20 }),
    field(`${prefix}Country`, 'string', { length: 80 }),
    field(`${prefix}StateCode`, 'string', { length: 10 }),
    field(`${prefix}CountryCode`, 'string', { length: 10 }),
  ];
}

interface StandardSpec {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  fields: FieldDef[];
  createable?: boolean;
}

const STANDARD: StandardSpec[] = [
  {
    name: 'Account',
    label: 'Account',
    labelPlural: 'Accounts',
    keyPrefix: '001',
    fields: [
      field('Name', 'string', { length: 255, required: true, label: 'Account Name', nillable: false }),
      field('AccountNumber', 'string', { length: 40, label: 'Account Number' }),
      ...address('Billing'),
      ...address('Shipping'),
      field('Phone', 'phone', { label: 'Account Phone' }),
      field('Fax', 'phone', { label: 'Account Fax' }),
      field('Website', 'url'),
      field('Industry', 'picklist', { length: 255 }),
      field('Type', 'picklist', { length: 255, label: 'Account Type' }),
      field('AccountSource', 'picklist'),
      field('Description', 'textarea', { length: 32000 }),
      field('NumberOfEmployees', 'int', { label: 'Employees' }),
      field('AnnualRevenue', 'currency'),
      field('Sic', 'string', { length: 20 }),
      lookup('ParentId', 'Account', { label: 'Parent Account ID', childRelationshipName: 'ChildAccounts' }),
      lookup('RecordTypeId', 'RecordType', { label: 'Record Type ID' }),
      owner(),
      currency(),
    ],
  },
  {
    name: 'Contact',
    label: 'Contact',
    labelPlural: 'Contacts',
    keyPrefix: '003',
    fields: [
      lookup('AccountId', 'Account', { label: 'Account ID', childRelationshipName: 'Contacts' }),
      field('Salutation', 'picklist', { length: 40 }),
      field('FirstName', 'string', { length: 40, label: 'First Name' }),
      field('LastName', 'string', { length: 80, required: true, label: 'Last Name', nillable: false }),
      readOnly('Name', 'string', { length: 121, label: 'Full Name' }),
      field('Title', 'string', { length: 128 }),
      field('Department', 'string', { length: 80 }),
      field('Email', 'email'),
      field('Phone', 'phone', { label: 'Business Phone' }),
      field('MobilePhone', 'phone', { label: 'Mobile Phone' }),
      ...address('Mailing'),
      field('Description', 'textarea', { length: 32000 }),
      lookup('RecordTypeId', 'RecordType', { label: 'Record Type ID' }),
      owner(),
      currency(),
    ],
  },
  {
    name: 'Opportunity',
    label: 'Opportunity',
    labelPlural: 'Opportunities',
    keyPrefix: '006',
    fields: [
      field('Name', 'string', { length: 120, required: true, nillable: false }),
      lookup('AccountId', 'Account', { label: 'Account ID', childRelationshipName: 'Opportunities' }),
      field('StageName', 'picklist', { required: true, nillable: false, label: 'Stage' }),
      field('CloseDate', 'date', { required: true, nillable: false, label: 'Close Date' }),
      field('Amount', 'currency'),
      field('Probability', 'percent', { precision: 3 }),
      readOnly('IsWon', 'boolean', { label: 'Won', defaultValue: false }),
      readOnly('IsClosed', 'boolean', { label: 'Closed', defaultValue: false }),
      readOnly('HasOpportunityLineItem', 'boolean', { defaultValue: false }),
      lookup('Pricebook2Id', 'Pricebook2', {
        label: 'Price Book ID',
        childRelationshipName: 'Opportunities',
      }),
      field('Type', 'picklist', { label: 'Opportunity Type' }),
      field('LeadSource', 'picklist'),
      field('NextStep', 'string', { length: 255 }),
      field('ForecastCategoryName', 'picklist'),
      field('Description', 'textarea', { length: 32000 }),
      lookup('RecordTypeId', 'RecordType', { label: 'Record Type ID' }),
      owner(),
      currency(),
    ],
  },
  {
    name: 'OpportunityLineItem',
    label: 'Opportunity Product',
    labelPlural: 'Opportunity Product',
    keyPrefix: '00k',
    fields: [
      lookup('OpportunityId', 'Opportunity', {
        required: true,
        updateable: false,
        nillable: false,
        label: 'Opportunity ID',
        childRelationshipName: 'OpportunityLineItems',
      }),
      lookup('PricebookEntryId', 'PricebookEntry', {
        updateable: false,
        label: 'Price Book Entry ID',
        childRelationshipName: 'OpportunityLineItems',
      }),
      lookup('Product2Id', 'Product2', { updateable: false, label: 'Product ID' }),
      readOnly('Name', 'string', { length: 376, label: 'Opportunity Product Name' }),
      readOnly('ProductCode', 'string', { length: 255 }),
      field('Quantity', 'double', { required: true, nillable: false, precision: 12, scale: 2 }),
      field('UnitPrice', 'currency', { label: 'Sales Price' }),
      readOnly('ListPrice', 'currency', { label: 'List Price' }),
      field('TotalPrice', 'currency', { label: 'Total Price' }),
      field('Discount', 'percent', { precision: 5, scale: 2 }),
      field('ServiceDate', 'date', { label: 'Date' }),
      field('Description', 'string', { length: 255, label: 'Line Description' }),
      field('SortOrder', 'int'),
      readOnly('CurrencyIsoCode', 'picklist', { length: 3 }),
    ],
  },
  {
    name: 'Product2',
    label: 'Product',
    labelPlural: 'Products',
    keyPrefix: '01t',
    fields: [
      field('Name', 'string', { length: 255, required: true, nillable: false, label: 'Product Name' }),
      field('ProductCode', 'string', { length: 255, label: 'Product Code' }),
      field('Description', 'textarea', { length: 4000, label: 'Product Description' }),
      field('IsActive', 'boolean', { label: 'Active', defaultValue: false }),
      field('Family', 'picklist', { label: 'Product Family' }),
      field('QuantityUnitOfMeasure', 'picklist', { label: 'Quantity Unit Of Measure' }),
      field('StockKeepingUnit', 'string', { length: 180, label: 'Product SKU' }),
      field('ExternalId', 'string', { length: 255, externalId: true, idLookup: true, label: 'External ID' }),
      field('DisplayUrl', 'url', { length: 1000 }),
      currency(),
    ],
  },
  {
    name: 'Pricebook2',
    label: 'Price Book',
    labelPlural: 'Price Books',
    keyPrefix: '01s',
    fields: [
      field('Name', 'string', { length: 255, required: true, nillable: false, label: 'Price Book Name' }),
      field('IsActive', 'boolean', { label: 'Active', defaultValue: false }),
      readOnly('IsStandard', 'boolean', { label: 'Is Standard Price Book', defaultValue: false }),
      field('Description', 'string', { length: 255 }),
    ],
  },
  {
    name: 'PricebookEntry',
    label: 'Price Book Entry',
    labelPlural: 'Price Book Entries',
    keyPrefix: '01u',
    fields: [
      readOnly('Name', 'string', { length: 255, label: 'Product Name' }),
      lookup('Pricebook2Id', 'Pricebook2', {
        required: true,
        updateable: false,
        nillable: false,
        label: 'Price Book ID',
        childRelationshipName: 'PricebookEntries',
      }),
      lookup('Product2Id', 'Product2', {
        required: true,
        updateable: false,
        nillable: false,
        label: 'Product ID',
        childRelationshipName: 'PricebookEntries',
      }),
      field('UnitPrice', 'currency', { required: true, nillable: false, label: 'List Price' }),
      field('IsActive', 'boolean', { label: 'Active', defaultValue: false }),
      field('UseStandardPrice', 'boolean', { label: 'Use Standard Price', defaultValue: false }),
      readOnly('ProductCode', 'string', { length: 255 }),
      field('CurrencyIsoCode', 'picklist', { length: 3, updateable: false, defaultValue: 'USD' }),
    ],
  },
  {
    name: 'User',
    label: 'User',
    labelPlural: 'Users',
    keyPrefix: '005',
    createable: false,
    fields: [
      field('Username', 'string', { length: 80, required: true, unique: true, idLookup: true }),
      field('FirstName', 'string', { length: 40 }),
      field('LastName', 'string', { length: 80, required: true }),
      readOnly('Name', 'string', { length: 121, label: 'Full Name' }),
      field('Email', 'email', { length: 128, required: true }),
      field('Alias', 'string', { length: 8 }),
      field('IsActive', 'boolean', { defaultValue: true }),
      field('TimeZoneSidKey', 'picklist', { length: 40 }),
      currency(),
    ],
  },
  {
    // The one org record; `sf` reads it after every login (sandbox? trial? namespace?).
    name: 'Organization',
    label: 'Organization',
    labelPlural: 'Organizations',
    keyPrefix: '00D',
    createable: false,
    fields: [
      readOnly('Name', 'string', { length: 80 }),
      readOnly('InstanceName', 'string', { length: 5 }),
      readOnly('IsSandbox', 'boolean', { defaultValue: false }),
      readOnly('TrialExpirationDate', 'datetime'),
      readOnly('NamespacePrefix', 'string', { length: 15 }),
      readOnly('OrganizationType', 'picklist', { length: 40 }),
      readOnly('LanguageLocaleKey', 'picklist', { length: 40 }),
      readOnly('TimeZoneSidKey', 'picklist', { length: 40 }),
    ],
  },
];

/** The standard object definitions, fresh copies on every call (so metadata merges never leak). */
export function standardObjects(): ObjectDef[] {
  return STANDARD.map((spec) => {
    const all = [...systemFields(), ...spec.fields];
    // OpportunityLineItem/PricebookEntry/Pricebook2/Product2 have no owner; the rest list one above.
    return {
      name: spec.name,
      label: spec.label,
      labelPlural: spec.labelPlural,
      kind: 'standard' as const,
      keyPrefix: spec.keyPrefix,
      createable: spec.createable ?? true,
      updateable: true,
      deletable: spec.createable ?? true,
      queryable: true,
      fields: new Map(all.map((f) => [f.name.toLowerCase(), f])),
    };
  });
}

export { systemFields };
