/**
 * Currency codes: ISO 4217 as the runtime's ICU knows them (`Intl.supportedValuesOf('currency')`, kept
 * current with Node), optionally narrowed by the company's allow-list in the bridge config (the
 * currencies set up in that F&O legal entity).
 */
import { reject, type Rejection } from './result.js';

let iso4217: ReadonlySet<string> | undefined;

export function isIsoCurrency(code: string): boolean {
  iso4217 ??= new Set(Intl.supportedValuesOf('currency'));
  return iso4217.has(code);
}

/** Upper-cased code when it is ISO 4217 and (when given) in `allowed`; undefined otherwise. */
export function resolveCurrency(input: string, allowed?: readonly string[]): string | undefined {
  const code = input.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code) || !isIsoCurrency(code)) return undefined;
  if (allowed && !allowed.includes(code)) return undefined;
  return code;
}

/**
 * The currency of a record (`CurrencyIsoCode`, blank → the company's default) as F&O takes it, or
 * `UNKNOWN_CURRENCY` when the company does not allow it.
 */
export function recordCurrency(
  sent: string | null | undefined,
  company: string,
  companyCfg: { currency: string; currencies?: readonly string[] | undefined },
): string | Rejection {
  const text = sent?.trim() || companyCfg.currency;
  const currency = resolveCurrency(text, companyCfg.currencies);
  if (currency) return currency;
  return reject(
    'UNKNOWN_CURRENCY',
    `Currency "${text}" is not one the bridge config allows for ${company}${companyCfg.currencies ? ` (${companyCfg.currencies.join(', ')})` : ''}.`,
    'CurrencyIsoCode',
  );
}
