/**
 * Salesforce records as Apex `JSON.serialize` writes them (the package's
 * `D365SyncSelector`): an `attributes: { type, url }` object, field API names as keys, no key at all for
 * a null field, parent fields as nested objects (`Account: { attributes, D365_Customer_Number__c }`) and
 * a child sub-query as `{ totalSize, done, records: [...] }`. Unknown fields are ignored. The package's
 * own custom fields carry the namespace prefix in a subscriber org (`fobridge__D365_Legal_Entity__c`).
 */
import { z } from 'zod';
import { reject, type Rejection } from './result.js';

/** The package's own custom fields: the only names the namespace prefix is applied to. */
export const PACKAGE_FIELDS: ReadonlySet<string> = new Set([
  'D365_Legal_Entity__c',
  'D365_Customer_Number__c',
  'D365_Contact_Person_Id__c',
  'D365_Sales_Order_Number__c',
  'D365_Item_Number__c',
  'D365_Sync_Status__c',
  'D365_Sync_Error__c',
  'D365_Last_Synced__c',
]);

export interface ReadOptions {
  /** Managed-package namespace (`SF_NAMESPACE`), e.g. `fobridge`; empty or absent in a dev org. */
  namespace?: string | undefined;
}

/** The API name as sent: the package's fields get `ns__`, every other name is used as written. */
export function apiName(field: string, namespace?: string): string {
  return namespace && PACKAGE_FIELDS.has(field) ? `${namespace}__${field}` : field;
}

/** A dotted path (`Account.D365_Customer_Number__c`) with the namespace applied to each segment. */
export function apiPath(path: string, namespace?: string): string[] {
  return path.split('.').map((segment) => apiName(segment, namespace));
}

type SfObject = Record<string, unknown>;

function isObject(value: unknown): value is SfObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The raw value at `segments`, or undefined when any step is missing or null. */
export function valueAt(record: unknown, segments: readonly string[]): unknown {
  let current: unknown = record;
  for (const segment of segments) {
    if (!isObject(current)) return undefined;
    current = current[segment];
    if (current === null) return undefined;
  }
  return current;
}

/**
 * Text at a field path: trimmed, blank → undefined. Numbers and booleans become text (a formula field
 * may be numeric); anything else is an `INVALID_FIELD` rejection. `label` prefixes the path in messages.
 */
export function readText(
  record: unknown,
  path: string,
  /** `exact`: a key kept as written (an F&O item number can start with a space); blank is still missing. */
  opts: ReadOptions & { label?: string; exact?: boolean } = {},
): { value: string | undefined; field: string } | Rejection {
  const segments = apiPath(path, opts.namespace);
  const field = [opts.label, ...segments].filter(Boolean).join('.');
  const raw = valueAt(record, segments);
  if (raw === undefined) return { value: undefined, field };
  if (typeof raw === 'string') {
    const trimmed = raw.trim();
    return { value: trimmed === '' ? undefined : opts.exact ? raw : trimmed, field };
  }
  if (typeof raw === 'number' || typeof raw === 'boolean') return { value: String(raw), field };
  return reject(
    'INVALID_FIELD',
    `${field} should be a text value, got ${Array.isArray(raw) ? 'a list' : typeof raw}.`,
    field,
  );
}

// ── zod schemas of the records the proxy accepts (exported for the HTTP routes) ─────────────────────

const optionalText = z.string().nullish();
const optionalNumber = z.union([z.number(), z.string()]).nullish();
/** 15- or 18-character Salesforce record id. */
export const SalesforceId = z
  .string()
  .regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'must be a Salesforce record id');

export const SalesforceAttributes = z.looseObject({ type: z.string(), url: z.string().optional() });

/** Any SObject: an id and, usually, `attributes`. Everything else passes through untouched. */
export const SalesforceRecord = z.looseObject({
  attributes: SalesforceAttributes.optional(),
  Id: SalesforceId,
});

/** Parent Account fields nested in a Contact or Opportunity (`Account.D365_Customer_Number__c`). */
export const ParentAccount = z.looseObject({
  attributes: SalesforceAttributes.optional(),
  Id: SalesforceId.optional(),
  Name: optionalText,
});

export const AccountRecord = SalesforceRecord.extend({
  Name: optionalText,
  AccountNumber: optionalText,
  Phone: optionalText,
  Fax: optionalText,
  Website: optionalText,
  BillingStreet: optionalText,
  BillingCity: optionalText,
  BillingState: optionalText,
  BillingStateCode: optionalText,
  BillingPostalCode: optionalText,
  BillingCountry: optionalText,
  BillingCountryCode: optionalText,
  ShippingStreet: optionalText,
  ShippingCity: optionalText,
  ShippingState: optionalText,
  ShippingStateCode: optionalText,
  ShippingPostalCode: optionalText,
  ShippingCountry: optionalText,
  ShippingCountryCode: optionalText,
  CurrencyIsoCode: optionalText,
  IsPersonAccount: z.boolean().nullish(),
  FirstName: optionalText,
  LastName: optionalText,
  SystemModstamp: optionalText,
});

export const ContactRecord = SalesforceRecord.extend({
  AccountId: SalesforceId.nullish(),
  Salutation: optionalText,
  FirstName: optionalText,
  MiddleName: optionalText,
  LastName: optionalText,
  Title: optionalText,
  Department: optionalText,
  Email: optionalText,
  Phone: optionalText,
  MobilePhone: optionalText,
  MailingStreet: optionalText,
  MailingCity: optionalText,
  MailingState: optionalText,
  MailingStateCode: optionalText,
  MailingPostalCode: optionalText,
  MailingCountry: optionalText,
  MailingCountryCode: optionalText,
  SystemModstamp: optionalText,
  Account: ParentAccount.nullish(),
});

export const Product2 = z.looseObject({
  attributes: SalesforceAttributes.optional(),
  Id: SalesforceId.optional(),
  Name: optionalText,
  ProductCode: optionalText,
  QuantityUnitOfMeasure: optionalText,
});

export const OpportunityLineItemRecord = SalesforceRecord.extend({
  OpportunityId: SalesforceId.nullish(),
  Product2Id: SalesforceId.nullish(),
  Product2: Product2.nullish(),
  ProductCode: optionalText,
  Quantity: optionalNumber,
  UnitPrice: optionalNumber,
  ListPrice: optionalNumber,
  TotalPrice: optionalNumber,
  Discount: optionalNumber,
  ServiceDate: optionalText,
  Description: optionalText,
});

/** A child relationship as `JSON.serialize` writes a sub-query. */
export const SubQuery = <T extends z.ZodType>(item: T) =>
  z.looseObject({ totalSize: z.number().optional(), done: z.boolean().optional(), records: z.array(item) });

export const OpportunityRecord = SalesforceRecord.extend({
  Name: optionalText,
  AccountId: SalesforceId.nullish(),
  CloseDate: optionalText,
  Amount: optionalNumber,
  StageName: optionalText,
  IsWon: z.boolean().nullish(),
  CurrencyIsoCode: optionalText,
  SystemModstamp: optionalText,
  Account: ParentAccount.nullish(),
  OpportunityLineItems: SubQuery(OpportunityLineItemRecord).nullish(),
});

export type AccountRecord = z.infer<typeof AccountRecord>;
export type ContactRecord = z.infer<typeof ContactRecord>;
export type OpportunityRecord = z.infer<typeof OpportunityRecord>;
export type OpportunityLineItemRecord = z.infer<typeof OpportunityLineItemRecord>;

/**
 * Validates `input` against a record schema (and the expected `attributes.type`, when present). A
 * failure becomes a rejection naming the first bad field; a missing or blank `Id` is
 * `MISSING_REQUIRED_FIELD`, anything else `INVALID_FIELD`.
 */
export function parseRecord<T extends z.ZodType>(
  schema: T,
  input: unknown,
  objectType: string,
): z.infer<T> | Rejection {
  if (!isObject(input)) return reject('INVALID_FIELD', `The ${objectType} record is not a JSON object.`);
  const type = isObject(input.attributes) ? input.attributes.type : undefined;
  if (typeof type === 'string' && type !== objectType) {
    return reject('WRONG_OBJECT_TYPE', `Expected a ${objectType} record, got ${type}.`, 'attributes.type');
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join('.');
  const missing = valueAt(input, issue.path.map(String)) === undefined || (field === 'Id' && input.Id === '');
  return missing
    ? reject('MISSING_REQUIRED_FIELD', `${objectType} ${field} is required.`, field)
    : reject('INVALID_FIELD', `${objectType} ${field}: ${issue.message}.`, field);
}
