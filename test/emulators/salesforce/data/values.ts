import { SfError } from '../errors.js';
import { normalizeId } from '../ids.js';
import type { FieldDef } from '../metadata/types.js';

/**
 * Value conversion for writes. REST bodies carry JSON values; Bulk API CSV carries strings.
 * Stored values: strings (text, picklists, `YYYY-MM-DD` dates, `…T…000+0000` datetimes),
 * numbers, booleans or null.
 */

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Salesforce's datetime wire format: `2024-05-01T10:00:00.000+0000`. */
export function formatDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export function parseDateTime(value: string): number {
  // Accept `+0000` offsets (Salesforce output) as well as ISO-8601 `Z`/`+00:00`.
  const iso = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  return Date.parse(iso);
}

function parserError(f: FieldDef, value: unknown): SfError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  const kind =
    f.type === 'boolean'
      ? 'boolean'
      : f.type === 'date'
        ? 'date'
        : f.type === 'datetime'
          ? 'datetime'
          : 'double';
  return new SfError(
    400,
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${kind} from VALUE_STRING value ${shown} or request may be missing a required field`,
  );
}

/** Converts a JSON body value to the stored value, or throws the error the real API gives. */
export function coerceJson(f: FieldDef, value: unknown): unknown {
  if (value === null) return null;
  switch (f.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw parserError(f, value);
    case 'int':
    case 'double':
    case 'currency':
    case 'percent': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value)
            : NaN;
      if (!Number.isFinite(n)) throw parserError(f, value);
      return f.type === 'int' ? Math.trunc(n) : n;
    }
    case 'date':
      if (typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value))) return value;
      if (typeof value === 'string' && !Number.isNaN(parseDateTime(value))) return value.slice(0, 10);
      throw parserError(f, value);
    case 'datetime': {
      const ms =
        typeof value === 'string' ? (DATE.test(value) ? Date.parse(value) : parseDateTime(value)) : NaN;
      if (Number.isNaN(ms)) throw parserError(f, value);
      return formatDateTime(ms);
    }
    case 'reference':
    case 'id':
      if (typeof value !== 'string') throw parserError(f, value);
      return value;
    default:
      if (typeof value === 'object') throw parserError(f, value);
      return String(value);
  }
}

/** CSV cell → JSON-ish value: `#N/A` clears the field, an empty cell leaves it untouched. */
export function fromCsvCell(f: FieldDef, cell: string): unknown {
  if (cell === '#N/A') return null;
  if (f.type === 'boolean') {
    const lower = cell.toLowerCase();
    if (lower === '1' || lower === 'true' || lower === 'yes') return true;
    if (lower === '0' || lower === 'false' || lower === 'no') return false;
  }
  return cell;
}

/** Checks a converted value against the field's length, picklist and Id rules. */
export function checkValue(objectName: string, f: FieldDef, value: unknown): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'string' && f.length > 0 && f.type !== 'reference' && f.type !== 'id') {
    if (value.length > f.length) {
      throw new SfError(
        400,
        'STRING_TOO_LONG',
        `${f.label}: data value too large: ${value.length > 100 ? `${value.slice(0, 100)}...` : value} (max length=${f.length})`,
        [f.name],
      );
    }
  }
  if (f.type === 'picklist' && f.restrictedPicklist && !f.picklistValues.includes(String(value))) {
    throw new SfError(
      400,
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      `${f.label}: bad value for restricted picklist field: ${String(value)}`,
      [f.name],
    );
  }
  if (f.type === 'reference' && !normalizeId(value)) {
    throw new SfError(400, 'MALFORMED_ID', `${f.label}: id value of incorrect type: ${String(value)}`, [
      f.name,
    ]);
  }
  void objectName;
}
