import type { Schema } from '../metadata/schema.js';
import type { FieldDef, ObjectDef } from '../metadata/types.js';

/** `describe` output; field permissions reflect the integration user's field-level security. */

function urls(apiVersion: string, def: ObjectDef): Record<string, string> {
  const base = `/services/data/v${apiVersion}/sobjects/${def.name}`;
  return { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` };
}

function describeField(schema: Schema, def: ObjectDef, f: FieldDef): Record<string, unknown> {
  return {
    name: f.name,
    label: f.label,
    type: f.type,
    length: f.length,
    precision: f.precision,
    scale: f.scale,
    custom: f.custom,
    calculated: f.calculated,
    createable: schema.canWrite(def, f, 'create'),
    updateable: schema.canWrite(def, f, 'update'),
    nillable: f.nillable,
    defaultedOnCreate: f.defaultValue !== undefined || f.name === 'OwnerId' || !f.createable,
    externalId: f.externalId,
    idLookup: f.idLookup || f.name === 'Id',
    unique: f.unique,
    caseSensitive: f.caseSensitive,
    filterable: true,
    sortable: f.type !== 'textarea' || f.length <= 255,
    referenceTo: f.referenceTo,
    relationshipName: f.relationshipName ?? null,
    picklistValues: f.picklistValues.map((v) => ({
      active: true,
      defaultValue: f.defaultValue === v,
      label: v,
      value: v,
      validFor: null,
    })),
    restrictedPicklist: f.restrictedPicklist,
    // The rest of a real field describe: constant for everything the emulator models.
    aggregatable: f.type !== 'textarea' && f.type !== 'boolean',
    aiPredictionField: false,
    autoNumber: false,
    byteLength: f.length * 3,
    calculatedFormula: null,
    cascadeDelete: false,
    compoundFieldName: null,
    controllerName: null,
    defaultValue: f.defaultValue ?? null,
    defaultValueFormula: null,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: f.type === 'int' ? 9 : 0,
    encrypted: f.type === 'encryptedstring',
    extraTypeInfo: null,
    filteredLookupInfo: null,
    groupable: !['textarea', 'double', 'currency', 'percent', 'datetime'].includes(f.type),
    htmlFormatted: false,
    inlineHelpText: null,
    nameField: f.name === 'Name',
    namePointing: false,
    permissionable: f.custom && !f.required,
    polymorphicForeignKey: f.name === 'OwnerId',
    queryByDistance: false,
    referenceTargetField: null,
    relationshipOrder: null,
    restrictedDelete: false,
    searchPrefilterable: false,
    writeRequiresMasterRead: false,
    soapType:
      f.type === 'id' || f.type === 'reference'
        ? 'tns:ID'
        : `xsd:${f.type === 'boolean' ? 'boolean' : 'string'}`,
  };
}

export function describeObject(schema: Schema, def: ObjectDef, apiVersion: string): Record<string, unknown> {
  return {
    ...describeGlobalEntry(def, apiVersion),
    fields: schema.visibleFields(def).map((f) => describeField(schema, def, f)),
    childRelationships: schema.childRelationships(def).map((c) => ({
      childSObject: c.childObject,
      field: c.field,
      relationshipName: c.relationshipName,
      cascadeDelete: false,
      deprecatedAndHidden: false,
      junctionIdListNames: [],
      junctionReferenceTo: [],
      restrictedDelete: false,
    })),
    recordTypeInfos: [],
    namedLayoutInfos: [],
    supportedScopes: [{ label: `All ${def.labelPlural.toLowerCase()}`, name: 'everything' }],
  };
}

export function describeGlobalEntry(def: ObjectDef, apiVersion: string): Record<string, unknown> {
  return {
    name: def.name,
    label: def.label,
    labelPlural: def.labelPlural,
    keyPrefix: def.keyPrefix,
    custom: def.kind !== 'standard',
    customSetting: false,
    createable: def.createable,
    updateable: def.updateable,
    deletable: def.deletable,
    queryable: def.queryable,
    retrieveable: def.queryable,
    searchable: def.queryable,
    triggerable: def.kind !== 'event',
    // Constant for every object the emulator models (no record types, feeds or layouts).
    activateable: false,
    compactLayoutable: def.kind !== 'event',
    deepCloneable: false,
    deprecatedAndHidden: false,
    feedEnabled: false,
    hasSubtypes: false,
    idEnabled: true,
    isInterface: false,
    isSubtype: false,
    layoutable: def.kind !== 'event',
    mergeable: def.name === 'Account' || def.name === 'Contact',
    mruEnabled: def.kind !== 'event',
    replicateable: true,
    undeletable: def.deletable,
    urls: urls(apiVersion, def),
  };
}
