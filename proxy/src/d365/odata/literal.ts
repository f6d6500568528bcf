/**
 * The only place that turns values into OData URL text. Nothing else in the proxy may
 * concatenate user data into an F&O URL: keys go through `entityKey`, filters through
 * filter.ts, query options through `buildQuery`.
 */
export const ENUM_NAMESPACE = 'Microsoft.Dynamics.DataEntities';

/** An enum value for `$filter` (`Microsoft.Dynamics.DataEntities.NoYes'Yes'`); build with `enumValue`. */
export interface EnumValue {
  readonly kind: 'enum';
  readonly enumType: string;
  readonly member: string;
}

export function enumValue(enumType: string, member: string): EnumValue {
  if (!IDENTIFIER.test(enumType)) throw new TypeError(`invalid enum type name: ${JSON.stringify(enumType)}`);
  if (!IDENTIFIER.test(member)) throw new TypeError(`invalid enum member: ${JSON.stringify(member)}`);
  return { kind: 'enum', enumType, member };
}

export type ODataValue = string | number | bigint | boolean | Date | EnumValue | null;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A property path: `Name`, `DeliveryAddress/City` (navigation paths one level deep). */
const PROPERTY_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*$/;

export function assertIdentifier(name: string, what = 'name'): string {
  if (!IDENTIFIER.test(name)) throw new TypeError(`invalid OData ${what}: ${JSON.stringify(name)}`);
  return name;
}

export function assertPropertyPath(path: string): string {
  if (!PROPERTY_PATH.test(path)) throw new TypeError(`invalid OData property: ${JSON.stringify(path)}`);
  return path;
}

/**
 * An OData literal, *not yet URL-encoded*: strings `'O''Brien'`, numbers `42`, booleans
 * `true`, dates `2026-07-14T12:00:00Z` (DateTimeOffset, unquoted), enums
 * `Microsoft.Dynamics.DataEntities.NoYes'Yes'`, `null`.
 */
export function odataLiteral(value: ODataValue): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return `'${value.replace(/'/g, "''")}'`;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot express ${value} as an OData literal`);
      return String(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      break;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError('invalid Date');
    // F&O renders whole seconds; milliseconds are dropped when zero to match its own output.
    return value.toISOString().replace('.000Z', 'Z');
  }
  if (value.kind === 'enum') return `${ENUM_NAMESPACE}.${value.enumType}'${value.member}'`;
  throw new TypeError('unsupported OData value');
}

/**
 * Percent-encode a piece of URL text (a literal, a filter) for the path or query. `'`, `(`, `)`
 * stay readable like F&O's own links; everything else outside the unreserved set is encoded
 * (space → %20, never `+`; `&` → %26; non-ASCII as UTF-8).
 */
export function encodeUrlText(text: string): string {
  return encodeURIComponent(text).replace(/[!*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export type EntityKey = Record<string, string | number | bigint | boolean | Date | EnumValue>;

/**
 * `entityKey({ dataAreaId: 'usmf', CustomerAccount: "O'Brien" })` →
 * `(dataAreaId='usmf',CustomerAccount='O''Brien')`, every part named (F&O requires it) and URL-encoded.
 */
export function entityKey(key: EntityKey): string {
  const parts = Object.entries(key);
  if (parts.length === 0) throw new TypeError('an entity key needs at least one part');
  return `(${parts.map(([name, value]) => `${assertIdentifier(name, 'key name')}=${encodeUrlText(odataLiteral(value))}`).join(',')})`;
}

/** `CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')` — the path below `/data/`. */
export function entityPath(entity: string, key?: EntityKey): string {
  return key
    ? `${assertIdentifier(entity, 'entity set')}${entityKey(key)}`
    : assertIdentifier(entity, 'entity set');
}

/** The company in a key, lower-cased as F&O returns it. */
export function keyCompany(key: EntityKey | undefined): string | undefined {
  const v = key?.dataAreaId;
  return typeof v === 'string' ? v.toLowerCase() : undefined;
}
