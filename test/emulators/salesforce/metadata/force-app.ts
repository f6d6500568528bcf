import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { field, readOnly } from './field-builder.js';
import { systemFields } from './standard-objects.js';
import type { FieldDef, ObjectDef, SfFieldType } from './types.js';

/**
 * Reads SFDX source-format object metadata (the Metadata API's source format, as `sf project convert source` reads it): every `objects/<Obj>/` folder
 * under the package directory, its optional `<Obj>.object-meta.xml` and its
 * `fields/<Field>.field-meta.xml`. Custom objects (`__c`), platform events (`__e`) and custom
 * fields on standard objects are returned; everything else in the folder (list views,
 * validation rules, record types) is ignored. Custom metadata types (`__mdt`) are skipped.
 */

export interface ParsedObject {
  /** API name without namespace, from the folder name. */
  name: string;
  /** Present when the folder has an `.object-meta.xml`. */
  meta?: Record<string, unknown>;
  fields: Record<string, unknown>[];
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (tagName) => tagName === 'value' || tagName === 'fields',
});

function findObjectFolders(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const full = join(dir, entry);
    if (!statSync(full).isDirectory()) continue;
    if (entry === 'objects') out.push(full);
    else findObjectFolders(full, out);
  }
  return out;
}

function readXml(path: string, root: string): Record<string, unknown> {
  const doc = parser.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const body = doc[root];
  if (!body || typeof body !== 'object') throw new Error(`${path}: expected a <${root}> document`);
  return body as Record<string, unknown>;
}

/** Parses every object folder below `forceAppDir` (empty when the folder does not exist). */
export function readForceApp(forceAppDir: string): ParsedObject[] {
  const objects = new Map<string, ParsedObject>();
  for (const objectsDir of findObjectFolders(forceAppDir)) {
    for (const name of readdirSync(objectsDir)) {
      const folder = join(objectsDir, name);
      if (!statSync(folder).isDirectory() || name.endsWith('__mdt')) continue;
      const parsed = objects.get(name) ?? { name, fields: [] };
      const metaPath = join(folder, `${name}.object-meta.xml`);
      if (existsSync(metaPath)) parsed.meta = readXml(metaPath, 'CustomObject');
      const fieldsDir = join(folder, 'fields');
      if (existsSync(fieldsDir)) {
        for (const file of readdirSync(fieldsDir).sort()) {
          if (!file.endsWith('.field-meta.xml')) continue;
          const xml = readXml(join(fieldsDir, file), 'CustomField');
          xml.fullName ??= basename(file, '.field-meta.xml');
          parsed.fields.push(xml);
        }
      }
      objects.set(name, parsed);
    }
  }
  return [...objects.values()].sort((a, b) => a.name.localeCompare(b.name));
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const bool = (v: unknown): boolean => v === 'true';
const num = (v: unknown, d: number): number => (typeof v === 'string' && v !== '' ? Number(v) : d);

const CUSTOM_SUFFIX = /__(c|e|r|mdt|x|b)$/;

/** Adds the package namespace to a custom API name (`Invoice__c` → `ns__Invoice__c`). */
export function withNamespace(name: string, namespace: string): string {
  if (!namespace || !CUSTOM_SUFFIX.test(name) || name.split('__').length > 2) return name;
  return `${namespace}__${name}`;
}

const TYPE_MAP: Record<string, SfFieldType> = {
  Text: 'string',
  TextArea: 'textarea',
  LongTextArea: 'textarea',
  Html: 'textarea',
  EncryptedText: 'encryptedstring',
  Email: 'email',
  Phone: 'phone',
  Url: 'url',
  Number: 'double',
  Currency: 'currency',
  Percent: 'percent',
  Checkbox: 'boolean',
  Date: 'date',
  DateTime: 'datetime',
  Time: 'time',
  Picklist: 'picklist',
  MultiselectPicklist: 'multipicklist',
  Lookup: 'reference',
  MasterDetail: 'reference',
  AutoNumber: 'string',
  Summary: 'double',
};

const LENGTH_DEFAULTS: Record<string, number> = {
  TextArea: 255,
  Email: 80,
  Phone: 40,
  Url: 255,
  AutoNumber: 30,
};

/** Converts one `<CustomField>` into a describe-like field definition. */
export function toFieldDef(xml: Record<string, unknown>, namespace: string): FieldDef {
  const apiName = withNamespace(String(xml.fullName), namespace);
  const xmlType = str(xml.type) ?? 'Text';
  const formula = str(xml.formula);
  const type = TYPE_MAP[xmlType] ?? 'string';
  const derived = formula !== undefined || xmlType === 'AutoNumber' || xmlType === 'Summary';
  const opts: Partial<FieldDef> = {
    label: str(xml.label) ?? apiName,
    custom: true,
    externalId: bool(xml.externalId),
    unique: bool(xml.unique),
    caseSensitive: bool(xml.caseSensitive),
    required: bool(xml.required) || xmlType === 'MasterDetail',
    length: num(xml.length, LENGTH_DEFAULTS[xmlType] ?? (type === 'string' ? 255 : 0)),
    precision: num(xml.precision, type === 'double' || type === 'currency' || type === 'percent' ? 18 : 0),
    scale: num(xml.scale, 0),
    idLookup: bool(xml.externalId),
  };
  if (type === 'picklist' || type === 'multipicklist') {
    const valueSet = (xml.valueSet ?? {}) as Record<string, unknown>;
    const definition = (valueSet.valueSetDefinition ?? {}) as Record<string, unknown>;
    const values = (definition.value ?? []) as Record<string, unknown>[];
    opts.picklistValues = values.map((v) => String(v.fullName));
    opts.restrictedPicklist = bool(valueSet.restricted) && opts.picklistValues.length > 0;
    const def = values.find((v) => v.default === 'true');
    if (def) opts.defaultValue = String(def.fullName);
  }
  if (type === 'boolean') opts.defaultValue = str(xml.defaultValue) === 'true';
  if (type === 'reference') {
    const target = str(xml.referenceTo) ?? '';
    opts.referenceTo = [withNamespace(target, namespace)];
    const rel = str(xml.relationshipName);
    opts.relationshipName = apiName.replace(/__c$/, '__r');
    if (rel) opts.childRelationshipName = withNamespace(`${rel}__r`, namespace);
    if (xmlType === 'MasterDetail') opts.updateable = bool(xml.reparentableMasterDetail);
    opts.nillable = xmlType !== 'MasterDetail';
  }
  if (derived)
    return readOnly(apiName, type, { ...opts, calculated: formula !== undefined, required: false });
  return field(apiName, type, opts);
}

function nameField(meta: Record<string, unknown> | undefined): FieldDef {
  const nf = (meta?.nameField ?? {}) as Record<string, unknown>;
  const label = str(nf.label) ?? 'Name';
  if (str(nf.type) === 'AutoNumber')
    return readOnly('Name', 'string', { length: 80, label, nillable: false });
  return field('Name', 'string', { length: 80, label, required: true, nillable: false });
}

/** Builds a custom object (`__c`) or platform event (`__e`) definition. */
export function toCustomObject(parsed: ParsedObject, namespace: string, keyPrefix: string): ObjectDef {
  const apiName = withNamespace(parsed.name, namespace);
  const isEvent = parsed.name.endsWith('__e');
  const custom = parsed.fields.map((f) => toFieldDef(f, namespace));
  const hasMaster = parsed.fields.some((f) => f.type === 'MasterDetail');
  const base: FieldDef[] = isEvent
    ? [
        readOnly('ReplayId', 'string', { length: 255, label: 'Replay ID' }),
        readOnly('EventUuid', 'string', { length: 36, label: 'Event UUID' }),
        readOnly('CreatedDate', 'datetime', { label: 'Created Date' }),
        readOnly('CreatedById', 'reference', { referenceTo: ['User'], label: 'Created By ID' }),
      ]
    : [
        ...systemFields(),
        nameField(parsed.meta),
        ...(hasMaster
          ? []
          : [
              field('OwnerId', 'reference', {
                referenceTo: ['User'],
                relationshipName: 'Owner',
                label: 'Owner ID',
              }),
            ]),
      ];
  const all = [...base, ...custom];
  return {
    name: apiName,
    label: str(parsed.meta?.label) ?? parsed.name,
    labelPlural: str(parsed.meta?.pluralLabel) ?? parsed.name,
    kind: isEvent ? 'event' : 'custom',
    keyPrefix,
    createable: true,
    updateable: !isEvent,
    deletable: !isEvent,
    queryable: !isEvent,
    fields: new Map(all.map((f) => [f.name.toLowerCase(), f])),
  };
}
