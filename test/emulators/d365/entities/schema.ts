/** Typed view over the generated field lists: kinds, defaults and value coercion. */
import { GENERATED_ENUMS, GENERATED_SCHEMAS } from './schema.generated.js';

export type FieldKind =
  'string' | 'decimal' | 'int32' | 'int64' | 'guid' | 'binary' | 'date' | 'datetime' | 'enum';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  enumType?: string;
  /** Value of the field on a fresh row. */
  defaultValue: unknown;
}

export type Row = Record<string, unknown>;

/** Rendered like F&O: empty date-only = 1900-01-01T12:00:00Z, empty utcdatetime = 1900-01-01T00:00:00Z. */
export const EMPTY_DATE = '1900-01-01T12:00:00Z';
export const EMPTY_DATETIME = '1900-01-01T00:00:00Z';
export const MAX_DATETIME = '2154-12-31T23:59:59Z';
export const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

export interface EntitySchema {
  keys: readonly string[];
  fields: ReadonlyMap<string, FieldSpec>;
  /** Names of every property the real entity has (writes to these are accepted even if not emulated). */
  realProperties: ReadonlySet<string>;
  realNavigation: readonly string[];
}

function parseKind(name: string, code: string): FieldSpec {
  if (code.startsWith('e:')) {
    const [enumType = '', dflt = ''] = code.slice(2).split('=');
    return { name, kind: 'enum', enumType, defaultValue: dflt === '' ? null : dflt };
  }
  switch (code) {
    case 's':
      return { name, kind: 'string', defaultValue: '' };
    case 'd':
      return { name, kind: 'decimal', defaultValue: 0 };
    case 'i':
      return { name, kind: 'int32', defaultValue: 0 };
    case 'l':
      return { name, kind: 'int64', defaultValue: 0 };
    case 'g':
      return { name, kind: 'guid', defaultValue: EMPTY_GUID };
    case 'b':
      return { name, kind: 'binary', defaultValue: null };
    case 'date':
      return { name, kind: 'date', defaultValue: EMPTY_DATE };
    case 'dt':
      return { name, kind: 'datetime', defaultValue: EMPTY_DATETIME };
    default:
      throw new Error(`unknown field code ${code} for ${name}`);
  }
}

export function loadSchema(setName: string): EntitySchema {
  const g = GENERATED_SCHEMAS[setName];
  if (!g) throw new Error(`no generated schema for ${setName}`);
  const fields = new Map<string, FieldSpec>();
  for (const [name, code] of Object.entries(g.fields)) fields.set(name, parseKind(name, code));
  return {
    keys: g.keys,
    fields,
    realProperties: new Set(g.allProperties.split(' ')),
    realNavigation: g.navigation,
  };
}

/**
 * Adds custom string fields an installation put on an entity (e.g. `SalesforceId` on CustTable and
 * CustCustomerV3Entity): readable, writable and filterable like standard ones. Entity schemas are
 * shared by every emulator in the process, so an extension exists for all of them from then on,
 * as it would for every client of that F&O.
 */
export function extendSchema(schema: EntitySchema, names: readonly string[]): void {
  const fields = schema.fields as Map<string, FieldSpec>;
  const real = schema.realProperties as Set<string>;
  for (const name of names) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,80}$/.test(name)) throw new Error(`not a field name: ${name}`);
    if (!fields.has(name)) fields.set(name, { name, kind: 'string', defaultValue: '' });
    real.add(name);
  }
}

export function enumMembers(enumType: string): Readonly<Record<string, number>> | undefined {
  return GENERATED_ENUMS[enumType];
}

/** A date-only value as F&O renders it (noon UTC). Accepts Date, 'YYYY-MM-DD' or any ISO timestamp. */
export function toDateOnly(value: Date | string): string {
  const iso = typeof value === 'string' ? value : value.toISOString();
  return `${iso.slice(0, 10)}T12:00:00Z`;
}

/** A utcdatetime without milliseconds, as F&O renders it. */
export function toDateTime(value: Date | string): string {
  const d = typeof value === 'string' ? new Date(value) : value;
  return `${d.toISOString().slice(0, 19)}Z`;
}

export class CoercionError extends Error {}

/** Converts an incoming JSON value to the stored representation of `spec`, or throws CoercionError (OData wording). */
export function coerceValue(spec: FieldSpec, value: unknown): unknown {
  if (value === null) {
    if (spec.kind === 'string' || spec.kind === 'enum' || spec.kind === 'binary') return spec.defaultValue;
    throw new CoercionError(
      `A null value was found for the property named '${spec.name}', which has the expected type 'Edm.${edmName(spec)}[Nullable=False]'. The expected type 'Edm.${edmName(spec)}[Nullable=False]' does not allow null values.`,
    );
  }
  switch (spec.kind) {
    case 'string':
    case 'guid':
      if (typeof value !== 'string') throw literalError(value, spec);
      return value;
    case 'decimal':
    case 'int32':
    case 'int64': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value)
            : NaN;
      if (!Number.isFinite(n) || (spec.kind !== 'decimal' && !Number.isInteger(n)))
        throw literalError(value, spec);
      return n;
    }
    case 'date':
    case 'datetime': {
      if (
        typeof value !== 'string' ||
        Number.isNaN(Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value))
      ) {
        throw literalError(value, spec);
      }
      return spec.kind === 'date'
        ? toDateOnly(value.length === 10 ? value : new Date(value))
        : toDateTime(value);
    }
    case 'enum': {
      const members = enumMembers(spec.enumType ?? '');
      if (typeof value !== 'string' || (members && !(value in members))) {
        throw new CoercionError(`The string '${String(value)}' is not a valid enumeration type constant.`);
      }
      return value;
    }
    case 'binary':
      return value;
  }
}

function edmName(spec: FieldSpec): string {
  return {
    string: 'String',
    decimal: 'Decimal',
    int32: 'Int32',
    int64: 'Int64',
    guid: 'Guid',
    binary: 'Binary',
    date: 'DateTimeOffset',
    datetime: 'DateTimeOffset',
    enum: 'String',
  }[spec.kind];
}

function literalError(value: unknown, spec: FieldSpec): CoercionError {
  return new CoercionError(
    `Cannot convert the literal '${String(value)}' to the expected type 'Edm.${edmName(spec)}'.`,
  );
}
