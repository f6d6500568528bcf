import type { FieldDef, SfFieldType } from './types.js';

const TEXT_DEFAULT_LENGTH: Partial<Record<SfFieldType, number>> = {
  string: 255,
  textarea: 255,
  email: 80,
  phone: 40,
  url: 255,
  picklist: 255,
  multipicklist: 4099,
  combobox: 255,
  encryptedstring: 175,
  id: 18,
  reference: 18,
};

/** Builds a field with describe-like defaults; `opts` overrides any of them. */
export function field(name: string, type: SfFieldType, opts: Partial<FieldDef> = {}): FieldDef {
  const base: FieldDef = {
    name,
    label: name.replace(/__c$/, '').replace(/_/g, ' '),
    type,
    length: TEXT_DEFAULT_LENGTH[type] ?? 0,
    precision: type === 'currency' || type === 'double' ? 18 : 0,
    scale: type === 'currency' ? 2 : 0,
    custom: name.endsWith('__c'),
    externalId: false,
    unique: false,
    caseSensitive: false,
    required: false,
    createable: true,
    updateable: true,
    nillable: type !== 'boolean',
    calculated: false,
    idLookup: false,
    referenceTo: [],
    picklistValues: [],
    restrictedPicklist: false,
  };
  return { ...base, ...opts };
}

/** Read-only field (system-maintained, derived or formula). */
export const readOnly = (name: string, type: SfFieldType, opts: Partial<FieldDef> = {}): FieldDef =>
  field(name, type, { createable: false, updateable: false, ...opts });

/** A lookup `XId` with relationship `X` (standard naming) or an explicit relationship name. */
export function lookup(
  name: string,
  referenceTo: string,
  opts: Partial<FieldDef> & { childRelationshipName?: string } = {},
): FieldDef {
  return field(name, 'reference', {
    referenceTo: [referenceTo],
    relationshipName: name.endsWith('Id') ? name.slice(0, -2) : name,
    ...opts,
  });
}
