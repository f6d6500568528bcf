/** Small shared pieces of entity business rules: Infolog wording, number formats, reference data. */
import countries from 'i18n-iso-countries';
import type { InfologLine } from '../odata/errors.js';
import type { Store } from '../store.js';
import type { Row } from './schema.js';

/** Currencies the emulated Currency table knows. */
export const CURRENCIES = new Set([
  'USD',
  'EUR',
  'GBP',
  'CAD',
  'MXN',
  'JPY',
  'AUD',
  'CHF',
  'DKK',
  'SEK',
  'NOK',
  'CNY',
  'INR',
  'BRL',
]);

export function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Prefix used by the per-company number sequences (Contoso style: usmf customers are US-001…). */
export function companyPrefix(company: string): string {
  const c = company.toLowerCase();
  if (c === 'usmf') return 'US';
  if (c === 'usrt') return 'RT';
  return c.toUpperCase();
}

/** F&O's foreign-key Infolog pair (reference §3, CustCustomerV3Entity example). */
export function notFound(
  value: string,
  fieldLabel: string,
  relatedLabel: string,
  aotName: string,
  field: string,
): InfologLine[] {
  return [
    `Warning: The value '${value}' in field '${fieldLabel}' is not found in the related table '${relatedLabel}'`,
    `Warning: validateField failed on field '${aotName}.${field}'`,
  ];
}

/** Mandatory field missing. Wording is AX's standard text [INF]: not seen on the wire. */
export function mustBeFilled(fieldLabel: string, dataSource: string): InfologLine[] {
  return [
    `Warning: Field '${fieldLabel}' must be filled in`,
    `Warning: validateWrite failed on data source '${dataSource}'`,
  ];
}

export function str(row: Row, field: string): string {
  const v = row[field];
  return typeof v === 'string' ? v : '';
}

export function num(row: Row, field: string): number {
  const v = row[field];
  return typeof v === 'number' ? v : 0;
}

/** Finds a company-scoped row by one field (case-insensitive), e.g. a customer by account. */
export function findIn(
  store: Store,
  set: string,
  company: string,
  field: string,
  value: string,
): Row | undefined {
  return store
    .table(set)
    .where(field, value)
    .find((r) => str(r, 'dataAreaId').toLowerCase() === company.toLowerCase());
}

/** F&O country/region id (ISO alpha-3, e.g. USA) ↔ ISO alpha-2 (US). */
export function iso2FromRegion(regionId: string): string {
  return regionId ? (countries.alpha3ToAlpha2(regionId.toUpperCase()) ?? '') : '';
}

export function regionFromIso2(iso2: string): string {
  return iso2 ? (countries.alpha2ToAlpha3(iso2.toUpperCase()) ?? '') : '';
}

/** Normalises a language id the way F&O does (`en-us` → `en-US`). */
export function normaliseLanguage(id: string): string {
  const [lang = '', region] = id.split('-');
  return region ? `${lang.toLowerCase()}-${region.toUpperCase()}` : lang.toLowerCase();
}

/** The read-only formatted address F&O composes (street / city, state zip / country). */
export function formatAddress(
  street: string,
  city: string,
  state: string,
  zip: string,
  region: string,
): string {
  const line2 = [city, [state, zip].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  return [street, line2, region].filter(Boolean).join('\n');
}

/** Fills `<prefix>CountryRegionId` from `<prefix>CountryRegionISOCode` and back, when one is missing. */
export function fillCountryPair(row: Row, idField: string, isoField: string): void {
  const id = str(row, idField);
  const iso = str(row, isoField);
  if (id && !iso) row[isoField] = iso2FromRegion(id);
  if (iso && !id) row[idField] = regionFromIso2(iso);
}
