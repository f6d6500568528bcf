/**
 * A Salesforce compound address (`BillingStreet`, `BillingCity`, `BillingState`/`BillingStateCode`,
 * `BillingPostalCode`, `BillingCountry`/`BillingCountryCode`) as F&O's address parts. The `…Code`
 * fields exist when the org uses state and country picklists and win over the free-text ones.
 */
import type { BridgeConfig, CompanyConfig } from './bridge-config.js';
import { resolveCountry, resolveState } from './countries.js';
import { readText, type ReadOptions } from './records.js';
import { isRejection, reject, type Rejection } from './result.js';
import { normaliseStreet, splitStreet } from './street.js';

export interface AddressParts {
  street?: string;
  streetNumber?: string;
  city?: string;
  zipCode?: string;
  /** F&O state id: the ISO 3166-2 code where validated (`CA`), else the text as sent. */
  state?: string;
  /** F&O CountryRegionId (ISO alpha-3 unless overridden in config), e.g. `USA`. */
  countryRegionId: string;
  /** ISO 3166-1 alpha-2, e.g. `US`. */
  countryIsoCode: string;
}

type Prefix = 'Billing' | 'Shipping' | 'Mailing';

/**
 * Reads one compound address. Returns undefined when the record has no address at all, a rejection for
 * an unknown country, a state that does not exist in a validated country, or an address without any
 * country when the company has no `defaultCountry`.
 */
export function readAddress(
  record: unknown,
  prefix: Prefix,
  cfg: BridgeConfig,
  company: CompanyConfig,
  opts: ReadOptions = {},
): AddressParts | undefined | Rejection {
  const values: Record<string, string | undefined> = {};
  for (const part of ['Street', 'City', 'State', 'StateCode', 'PostalCode', 'Country', 'CountryCode']) {
    const read = readText(record, `${prefix}${part}`, opts);
    if (isRejection(read)) return read;
    values[part] = read.value;
  }
  if (Object.values(values).every((v) => v === undefined)) return undefined;

  const countryField = values.CountryCode !== undefined ? `${prefix}CountryCode` : `${prefix}Country`;
  const countryText = values.CountryCode ?? values.Country ?? company.defaultCountry;
  if (countryText === undefined) {
    return reject(
      'MISSING_REQUIRED_FIELD',
      `The address has no country: fill in ${prefix}Country (or set defaultCountry for the company in the bridge config).`,
      `${prefix}Country`,
    );
  }
  const country = resolveCountry(countryText, cfg.address.countryNameLocales);
  if (!country) {
    return reject(
      'INVALID_COUNTRY',
      `${countryField} "${countryText}" is not a country the bridge recognises: use an ISO code such as US or DEU, or the country's name.`,
      countryField,
    );
  }

  const parts: AddressParts = {
    countryRegionId: cfg.address.countryRegionIds[country.alpha2] ?? country.alpha3,
    countryIsoCode: country.alpha2,
  };

  const stateField = values.StateCode !== undefined ? `${prefix}StateCode` : `${prefix}State`;
  const stateText = values.StateCode ?? values.State;
  if (stateText !== undefined) {
    if (cfg.address.validateStates.includes(country.alpha2)) {
      const state = resolveState(stateText, country.alpha2);
      if (!state) {
        return reject(
          'INVALID_STATE',
          `${stateField} "${stateText}" is not a state or province of ${country.alpha2}.`,
          stateField,
        );
      }
      parts.state = state;
    } else {
      parts.state = stateText;
    }
  }

  if (values.Street !== undefined) {
    const split = cfg.address.splitStreetNumber;
    const wanted = split === 'always' || (Array.isArray(split) && split.includes(country.alpha2));
    if (wanted) {
      const { street, number } = splitStreet(values.Street);
      parts.street = street;
      // Always set when splitting, so an update clears a number that is no longer in the street.
      parts.streetNumber = number ?? '';
    } else {
      parts.street = normaliseStreet(values.Street);
    }
  }
  if (values.City !== undefined) parts.city = values.City;
  if (values.PostalCode !== undefined) parts.zipCode = values.PostalCode;
  return parts;
}

/** Writes address parts into an F&O body under the entity's field names. */
export function addressFields(
  parts: AddressParts,
  names: {
    street: string;
    streetNumber: string;
    city: string;
    zipCode: string;
    state: string;
    countryRegionId: string;
    countryIsoCode: string;
  },
  /** Updates: write every part, blank ones as "", so F&O's address ends up equal to Salesforce's. */
  complete = false,
): Record<string, string> {
  const out: Record<string, string> = {
    [names.countryRegionId]: parts.countryRegionId,
    [names.countryIsoCode]: parts.countryIsoCode,
  };
  const optional: Array<[string, string | undefined]> = [
    [names.street, parts.street],
    [names.streetNumber, parts.streetNumber],
    [names.city, parts.city],
    [names.zipCode, parts.zipCode],
    [names.state, parts.state],
  ];
  for (const [name, value] of optional) {
    if (value !== undefined) out[name] = value;
    else if (complete) out[name] = '';
  }
  return out;
}
