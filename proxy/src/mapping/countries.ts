/**
 * Country and state normalisation, from maintained data only: `i18n-iso-countries` (ISO 3166-1 codes and
 * names in 78 languages; its Node entry registers every locale) and `iso-3166` (ISO 3166-2 subdivisions).
 * F&O keeps two country fields: `…CountryRegionId` (its own id, ISO alpha-3 in standard data, `USA`) and
 * `…CountryRegionISOCode` (ISO alpha-2, `US`) — reference d365.md §1.1.
 */
import countries from 'i18n-iso-countries';
import { iso31662 } from 'iso-3166';

export interface Country {
  /** ISO 3166-1 alpha-2, e.g. `US`. */
  alpha2: string;
  /** ISO 3166-1 alpha-3, e.g. `USA`. */
  alpha3: string;
}

/** Locales whose country names are accepted by default (English first; "Deutschland", "Suisse", "España"…). */
export const DEFAULT_COUNTRY_NAME_LOCALES = [
  'en',
  'de',
  'fr',
  'es',
  'it',
  'nl',
  'pt',
  'pl',
  'sv',
  'da',
  'nb',
  'fi',
];

/** The locales `i18n-iso-countries` knows (for validating the config). */
export function knownCountryNameLocales(): string[] {
  return countries.langs();
}

export function isAlpha2(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && countries.alpha2ToAlpha3(code) !== undefined;
}

/**
 * Accepts ISO alpha-2 (`US`), alpha-3 (`USA`) or a country name in one of `locales` (`United States`,
 * `USA`, `U.S.`, `Germany`, `Deutschland`; case-insensitive). Returns undefined for anything else: the
 * caller rejects rather than guessing.
 */
export function resolveCountry(
  input: string,
  locales: readonly string[] = DEFAULT_COUNTRY_NAME_LOCALES,
): Country | undefined {
  const text = input.trim();
  if (!text) return undefined;
  const upper = text.toUpperCase();
  let alpha2: string | undefined;
  if (/^[A-Z]{2}$/.test(upper) && countries.alpha2ToAlpha3(upper)) alpha2 = upper;
  else if (/^[A-Z]{3}$/.test(upper) && countries.alpha3ToAlpha2(upper))
    alpha2 = countries.alpha3ToAlpha2(upper);
  else {
    for (const locale of locales) {
      alpha2 = countries.getAlpha2Code(text, locale);
      if (alpha2) break;
    }
  }
  const alpha3 = alpha2 ? countries.alpha2ToAlpha3(alpha2) : undefined;
  return alpha2 && alpha3 ? { alpha2, alpha3 } : undefined;
}

/** Lower-case, accents removed, runs of space/punctuation collapsed: "Québec" = "quebec". */
function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[\s.'’-]+/g, ' ')
    .trim();
}

interface SubdivisionIndex {
  codes: Set<string>;
  byName: Map<string, string>;
}

const subdivisionCache = new Map<string, SubdivisionIndex>();

function subdivisions(alpha2: string): SubdivisionIndex {
  let index = subdivisionCache.get(alpha2);
  if (!index) {
    index = { codes: new Set(), byName: new Map() };
    const prefix = `${alpha2}-`;
    for (const entry of iso31662) {
      if (!entry.code.startsWith(prefix)) continue;
      const code = entry.code.slice(prefix.length);
      index.codes.add(code);
      index.byName.set(fold(entry.name), code);
    }
    subdivisionCache.set(alpha2, index);
  }
  return index;
}

/** True when the ISO 3166-2 data has subdivisions for the country (so a state can be validated). */
export function hasSubdivisions(alpha2: string): boolean {
  return subdivisions(alpha2).codes.size > 0;
}

/**
 * The ISO 3166-2 subdivision code (without the country part) for a state given as a code (`CA`,
 * `US-CA`) or a name (`California`, `Québec`) within one country; undefined when it is not one of that
 * country's subdivisions (e.g. `FD` for the US: "Florida" is also a department of Uruguay).
 */
export function resolveState(input: string, alpha2: string): string | undefined {
  const index = subdivisions(alpha2);
  const upper = input.trim().toUpperCase();
  const code = upper.startsWith(`${alpha2}-`) ? upper.slice(alpha2.length + 1) : upper;
  if (index.codes.has(code)) return code;
  return index.byName.get(fold(input));
}
