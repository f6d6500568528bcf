/**
 * Splitting a street line into street and house number (`AddressStreet` / `AddressStreetNumber`).
 * Salesforce keeps one multi-line street text; F&O has both fields. Whether the number field is printed
 * depends on the F&O address format of the country, so splitting is opt-in per country (docs/mapping.md).
 */

/** F&O's street number field is short; longer "numbers" are left in the street. [INF: EDT length 20] */
export const STREET_NUMBER_MAX = 20;

/**
 * A leading (US/UK style) house number: digits, an optional letter glued to it, an optional range
 * ("123", "123A", "12-14"). No space before a letter: in "10 E Main St" the E is a direction.
 */
const LEADING_NUMBER = String.raw`\d{1,6}[A-Za-z]?(?:[-/]\d{1,6}[A-Za-z]?)?`;
/** A trailing (continental style) house number: "5", "5a", "5 a", "12-14", "7/2". */
const TRAILING_NUMBER = String.raw`\d{1,6}(?:\s?[A-Za-z])?(?:\s?[-/]\s?\d{1,6}(?:\s?[A-Za-z])?)?`;
const LEADING = new RegExp(String.raw`^(${LEADING_NUMBER}),?\s+(\S.*)$`, 'u');
const TRAILING = new RegExp(String.raw`^(.*\S),?\s+(${TRAILING_NUMBER})$`, 'u');

/**
 * Words after which a trailing number is part of the name, not a house number ("PO Box 12",
 * "Route 66", "Suite 5", "Postfach 10"). Kept small and language-neutral on purpose.
 */
const NOT_A_HOUSE_NUMBER =
  /(?:^|\s)(?:p\.?\s?o\.?\s?box|box|postfach|postbox|route|rte|highway|hwy|interstate|suite|ste|apt|apartment|unit|floor|fl|room|rm|bldg|building|no|nr|#)\.?$/iu;

export interface StreetParts {
  street: string;
  number?: string;
}

/**
 * Splits the first line of a street text. "123 Main St" → { number: "123", street: "Main St" };
 * "Hauptstraße 5a" → { street: "Hauptstraße", number: "5a" }; "Main Street" or "PO Box 12" → no number.
 * Further lines stay in the street, joined with "\n" as F&O's multi-line street expects.
 */
export function splitStreet(text: string): StreetParts {
  const lines = text
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const [first = '', ...rest] = lines;
  const tail = rest.length ? `\n${rest.join('\n')}` : '';
  const leading = LEADING.exec(first);
  if (leading && /\p{L}/u.test(leading[2]!) && !/^(?:st|nd|rd|th)\b/i.test(leading[2]!)) {
    return fit({ number: leading[1]!, street: leading[2]! + tail }, first + tail);
  }
  const trailing = TRAILING.exec(first);
  if (trailing && /\p{L}/u.test(trailing[1]!) && !NOT_A_HOUSE_NUMBER.test(trailing[1]!)) {
    return fit({ street: trailing[1]! + tail, number: trailing[2]! }, first + tail);
  }
  return { street: first + tail };
}

function fit(parts: { street: string; number: string }, whole: string): StreetParts {
  const number = parts.number.replace(/\s+/g, '');
  return number.length <= STREET_NUMBER_MAX ? { street: parts.street, number } : { street: whole };
}

/** The street text as F&O stores it: lines trimmed, blank lines dropped, "\n" between lines. */
export function normaliseStreet(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n');
}
