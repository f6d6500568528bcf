/**
 * Quantities, prices and percentages go through decimal.js, never through float arithmetic, and leave
 * as JSON numbers only when the number prints exactly as the decimal (so the JSON text F&O receives is
 * the value that was checked). Salesforce JSON carries numbers as JSON numbers; an IEEE double keeps 15
 * significant decimal digits reliably, so an incoming number is read at 15 significant digits: binary
 * noise such as 0.30000000000000004 (0.1 + 0.2 computed in a float somewhere upstream) reads as 0.3,
 * while 19.999999 stays 19.999999.
 */
import { Decimal as DecimalJs } from 'decimal.js';

/** A private decimal.js constructor: enough precision for any amount, never touching the global one. */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_UP });
export type Decimal = InstanceType<typeof Decimal>;

const NUMERIC_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite JSON number or numeric string as a decimal; undefined for anything else. */
export function toDecimal(value: unknown): Decimal | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? new Decimal(value.toPrecision(15)) : undefined;
  }
  if (typeof value === 'string' && NUMERIC_TEXT.test(value.trim())) return new Decimal(value.trim());
  return undefined;
}

/** The decimal as a JSON number if, and only if, that number prints back as the same decimal. */
export function toJsonNumber(value: Decimal): number | undefined {
  const n = value.toNumber();
  if (!Number.isFinite(n)) return undefined;
  return new Decimal(n).equals(value) ? n : undefined;
}

/**
 * What an F&O decimal field holds. Quantities, prices, amounts and credit limits are `Edm.Decimal`
 * on the wire and X++ `real` inside F&O, stored as SQL `numeric(32,16)`: at most 16 digits before and
 * 16 after the decimal point. `$metadata` states no Precision or Scale for them, so the limit is
 * fixed here [INF: the storage type of X++ `real`]. A value beyond it overflows in F&O (or, through
 * a JSON double such as 1e308, turns into an amount nobody can post), so it is refused before any
 * write.
 */
export const FNO_REAL = { integerDigits: 16, scale: 16 } as const;

const FNO_REAL_LIMIT = new Decimal(10).pow(FNO_REAL.integerDigits);

/** True when an F&O decimal field can store the value exactly. */
export function fitsFnoReal(value: Decimal): boolean {
  return value.abs().lessThan(FNO_REAL_LIMIT) && value.decimalPlaces() <= FNO_REAL.scale;
}

export type DecimalRuleFailure =
  'notANumber' | 'negative' | 'zero' | 'tooManyDecimals' | 'tooLarge' | 'outOfRange' | 'unrepresentable';

export interface DecimalRule {
  /** Decimal places allowed. */
  places: number;
  /** `reject`: more places than allowed is an error; `round`: round half-up to `places`. */
  excess: 'reject' | 'round';
  /** Smallest allowed value: `positive` (> 0) or `nonNegative` (>= 0). */
  min: 'positive' | 'nonNegative';
  /** Largest allowed value, inclusive. */
  max?: number;
}

export type DecimalCheck =
  { ok: true; value: number; decimal: Decimal } | { ok: false; failure: DecimalRuleFailure };

/** Applies a rule to an incoming value and returns the JSON number to send. */
export function checkDecimal(raw: unknown, rule: DecimalRule): DecimalCheck {
  const parsed = toDecimal(raw);
  if (!parsed) return { ok: false, failure: 'notANumber' };
  let value = parsed;
  if (value.decimalPlaces() > rule.places) {
    if (rule.excess === 'reject') return { ok: false, failure: 'tooManyDecimals' };
    value = value.toDecimalPlaces(rule.places, Decimal.ROUND_HALF_UP);
  }
  if (value.isNegative() && !value.isZero()) return { ok: false, failure: 'negative' };
  if (rule.min === 'positive' && value.isZero()) return { ok: false, failure: 'zero' };
  if (rule.max !== undefined && value.greaterThan(rule.max)) return { ok: false, failure: 'tooLarge' };
  const json = toJsonNumber(value);
  if (json === undefined) return { ok: false, failure: 'unrepresentable' };
  if (!fitsFnoReal(value)) return { ok: false, failure: 'outOfRange' };
  // -0 would print as 0 anyway; normalise so tests and bodies never carry a negative zero.
  return { ok: true, value: json === 0 ? 0 : json, decimal: value };
}

/** Human wording for a rule failure, e.g. for `INVALID_QUANTITY` reasons. */
export function describeFailure(failure: DecimalRuleFailure, rule: DecimalRule, raw: unknown): string {
  const shown = typeof raw === 'number' || typeof raw === 'string' ? String(raw) : JSON.stringify(raw);
  switch (failure) {
    case 'notANumber':
      return `${shown} is not a number`;
    case 'negative':
      return `${shown} is negative`;
    case 'zero':
      return `${shown} must be greater than zero`;
    case 'tooManyDecimals':
      return `${shown} has more than ${rule.places} decimal places; rounding it would change what was sold`;
    case 'tooLarge':
      return `${shown} is larger than ${rule.max}`;
    case 'outOfRange':
      return `${shown} is more than F&O can store (at most ${FNO_REAL.integerDigits} digits before the decimal point)`;
    case 'unrepresentable':
      return `${shown} cannot be sent exactly as a JSON number`;
  }
}
