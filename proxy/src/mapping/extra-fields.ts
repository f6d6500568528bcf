/**
 * `extraFields` from the bridge config: F&O field ← Salesforce field path, copied when the Salesforce
 * field has a value. Text is trimmed, numbers go through the decimal rules' exact JSON check, booleans
 * become F&O's `NoYes` names ("Yes"/"No"). The Salesforce side must send the field (it must be in the
 * package's sync query or the record won't carry it).
 */
import { FNO_REAL, fitsFnoReal, toDecimal, toJsonNumber } from './decimals.js';
import { apiPath, valueAt, type ReadOptions } from './records.js';
import { reject, type Rejection } from './result.js';

export type FnoScalar = string | number;

/** F&O decimal fields that cannot be negative (a negative credit limit means nothing to F&O). */
const NON_NEGATIVE_FIELDS: ReadonlySet<string> = new Set(['CreditLimit']);

/**
 * Values for `map` read from `record`; `clearMissing` (updates) writes "" for a Salesforce field that is
 * now empty so F&O does not keep a stale value.
 */
export function extraFieldValues(
  record: unknown,
  map: Readonly<Record<string, string>>,
  opts: ReadOptions & { label?: string; clearMissing?: boolean } = {},
): Record<string, FnoScalar> | Rejection {
  const out: Record<string, FnoScalar> = {};
  for (const [fnoField, path] of Object.entries(map)) {
    const segments = apiPath(path, opts.namespace);
    const field = [opts.label, ...segments].filter(Boolean).join('.');
    const raw = valueAt(record, segments);
    if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) {
      if (opts.clearMissing) out[fnoField] = '';
      continue;
    }
    if (typeof raw === 'string') out[fnoField] = raw.trim();
    else if (typeof raw === 'boolean') out[fnoField] = raw ? 'Yes' : 'No';
    else if (typeof raw === 'number') {
      const decimal = toDecimal(raw);
      const json = decimal && toJsonNumber(decimal);
      if (!decimal || json === undefined)
        return reject('INVALID_FIELD', `${field} (${raw}) cannot be sent exactly to F&O.`, field);
      if (!fitsFnoReal(decimal)) {
        return reject(
          'NUMBER_OUT_OF_RANGE',
          `${field} (${raw}) is more than F&O ${fnoField} can store (at most ${FNO_REAL.integerDigits} digits before and ${FNO_REAL.scale} after the decimal point).`,
          field,
        );
      }
      if (NON_NEGATIVE_FIELDS.has(fnoField) && decimal.isNegative() && !decimal.isZero()) {
        return reject(
          'NUMBER_OUT_OF_RANGE',
          `${field} (${raw}) must not be negative for F&O ${fnoField}.`,
          field,
        );
      }
      out[fnoField] = json;
    } else {
      return reject(
        'INVALID_FIELD',
        `${field} is mapped to F&O ${fnoField} but is not a single value.`,
        field,
      );
    }
  }
  return out;
}
