/** The emulator's view of an org schema: objects and fields as `describe` reports them. */

export type SfFieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'multipicklist'
  | 'combobox'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'time'
  | 'reference'
  | 'encryptedstring';

export interface FieldDef {
  name: string;
  label: string;
  type: SfFieldType;
  /** Max characters for text types (0 for non-text). */
  length: number;
  precision: number;
  scale: number;
  custom: boolean;
  externalId: boolean;
  unique: boolean;
  caseSensitive: boolean;
  /** Must have a value on create (REQUIRED_FIELD_MISSING otherwise). */
  required: boolean;
  /** System-level permissions before field-level security is applied. */
  createable: boolean;
  updateable: boolean;
  nillable: boolean;
  calculated: boolean;
  idLookup: boolean;
  defaultValue?: unknown;
  referenceTo: string[];
  /** Relationship name used in SOQL and in external-ID references (`Account`, `Account__r`). */
  relationshipName?: string;
  /** Name of the child relationship on the parent object (`Contacts`, `Invoices__r`). */
  childRelationshipName?: string;
  picklistValues: string[];
  restrictedPicklist: boolean;
}

export type ObjectKind = 'standard' | 'custom' | 'event';

export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  kind: ObjectKind;
  keyPrefix: string;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  queryable: boolean;
  /** Fields keyed by lower-case API name (Salesforce names are case-insensitive). */
  fields: Map<string, FieldDef>;
}

export interface ChildRelationship {
  relationshipName: string;
  childObject: string;
  field: string;
}

export type FieldAccess = 'edit' | 'read' | 'none';
