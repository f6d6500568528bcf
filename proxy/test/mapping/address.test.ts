import { describe, expect, it } from 'vitest';
import { resolveCountry, resolveState, splitStreet } from '../../src/mapping/index.js';

describe('resolveCountry', () => {
  it.each([
    ['US', 'US', 'USA'],
    ['us', 'US', 'USA'],
    ['USA', 'US', 'USA'],
    ['United States', 'US', 'USA'],
    ['United States of America', 'US', 'USA'],
    ['U.S.A.', 'US', 'USA'],
    ['Germany', 'DE', 'DEU'],
    ['DEU', 'DE', 'DEU'],
    ['Deutschland', 'DE', 'DEU'],
    ['  germany ', 'DE', 'DEU'],
    ['UK', 'GB', 'GBR'],
    ['United Kingdom', 'GB', 'GBR'],
    ['Schweiz', 'CH', 'CHE'],
    ['Polska', 'PL', 'POL'],
  ])('%s → %s / %s', (input, alpha2, alpha3) => {
    expect(resolveCountry(input)).toEqual({ alpha2, alpha3 });
  });

  it.each(['XX', 'XYZ', 'Atlantis', '', 'Deutschland'])(
    'rejects %j when it is unknown (or in a locale not enabled)',
    (input) => {
      const locales = input === 'Deutschland' ? ['en'] : undefined;
      expect(resolveCountry(input, locales)).toBeUndefined();
    },
  );
});

describe('resolveState', () => {
  it('accepts US and Canadian codes and names and returns the code', () => {
    expect(resolveState('CA', 'US')).toBe('CA');
    expect(resolveState('wa', 'US')).toBe('WA');
    expect(resolveState('US-NY', 'US')).toBe('NY');
    expect(resolveState('California', 'US')).toBe('CA');
    expect(resolveState('district of columbia', 'US')).toBe('DC');
    expect(resolveState('Québec', 'CA')).toBe('QC');
    expect(resolveState('ON', 'CA')).toBe('ON');
  });

  it("refuses a state of another country (the NPSP 'FD' / Florida trap)", () => {
    expect(resolveState('FD', 'US')).toBeUndefined();
    expect(resolveState('Bavaria', 'US')).toBeUndefined();
    expect(resolveState('Ontario', 'US')).toBeUndefined();
    expect(resolveState('CA', 'CA')).toBeUndefined();
  });
});

describe('splitStreet', () => {
  it.each([
    ['123 Main St', { number: '123', street: 'Main St' }],
    ['123A Main St', { number: '123A', street: 'Main St' }],
    ['10 E Main St', { number: '10', street: 'E Main St' }],
    ['Hauptstraße 5a', { street: 'Hauptstraße', number: '5a' }],
    ['Hauptstraße 5 a', { street: 'Hauptstraße', number: '5a' }],
    ['Keizersgracht 12-14', { street: 'Keizersgracht', number: '12-14' }],
    ['ul. Piotrkowska 104/2', { street: 'ul. Piotrkowska', number: '104/2' }],
  ])('%s', (input, expected) => {
    expect(splitStreet(input)).toEqual(expected);
  });

  it.each(['Main Street', 'PO Box 123', 'Route 66', 'Suite 5', 'Postfach 10', '1st Avenue', '42'])(
    'leaves %j whole',
    (input) => {
      expect(splitStreet(input)).toEqual({ street: input });
    },
  );

  it('splits only the first line and keeps the others', () => {
    expect(splitStreet('123 Main St\r\n  Suite 400 \n')).toEqual({
      number: '123',
      street: 'Main St\nSuite 400',
    });
  });
});
