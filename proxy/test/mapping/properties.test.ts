/** Property-style checks over many generated names and amounts (seeded, so failures reproduce). */
import { describe, expect, it } from 'vitest';
import { Decimal, checkDecimal } from '../../src/mapping/decimals.js';
import { mapAccountToCustomer, mapOpportunityToSalesOrder } from '../../src/mapping/index.js';
import { account, config, expectOk, lineItem, opportunity } from './helpers.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'Contoso',
  "O'Brien",
  '&',
  'Søn',
  'GmbH',
  'Zürich',
  'Łódź',
  'Spółka',
  '東京',
  '😀',
  'Ltd.',
  '-',
  'Müller-Lüdenscheidt',
  'X'.repeat(30),
];
const cfg = config();

describe('generated names', () => {
  it('always fit 100 (name) and 20 (search name), are a prefix of the name, and never end in a half character', () => {
    const rand = rng(7);
    for (let i = 0; i < 500; i++) {
      const words = Array.from(
        { length: 1 + Math.floor(rand() * 40) },
        () => PIECES[Math.floor(rand() * PIECES.length)]!,
      );
      const name = words.join(rand() < 0.2 ? '  ' : ' ').slice(0, 255);
      const result = mapAccountToCustomer(account({ Name: name }), cfg, { customerAccount: 'SF1' });
      if (!result.ok) {
        // Only a name that is blank after trimming may fail.
        expect(name.trim()).toBe('');
        continue;
      }
      const org = String(result.entity.OrganizationName);
      const alias = String(result.entity.NameAlias);
      const clean = name.normalize('NFC').replace(/\s+/gu, ' ').trim();
      expect(org.length).toBeLessThanOrEqual(100);
      expect(alias.length).toBeLessThanOrEqual(20);
      expect(clean.startsWith(org)).toBe(true);
      expect(org).toBe(org.trim());
      expect(/[\uD800-\uDBFF]$/.test(org) || /[\uD800-\uDBFF]$/.test(alias)).toBe(false);
      expect(result.warnings.length > 0).toBe(org !== clean);
    }
  });
});

describe('generated amounts', () => {
  it('send exactly the decimal that was given and add up without float drift', () => {
    const rand = rng(11);
    for (let i = 0; i < 300; i++) {
      const lines = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => {
        const qty = new Decimal(Math.floor(rand() * 100000) + 1).dividedBy(100); // 0.01 … 1000.00
        const price = new Decimal(Math.floor(rand() * 1e8)).dividedBy(10 ** Math.floor(rand() * 7)); // up to 6 places
        return { qty, price };
      });
      const expected = lines.reduce((sum, l) => sum.plus(l.qty.times(l.price)), new Decimal(0));
      // Salesforce sends JSON numbers: go through a real JSON round trip.
      const records = lines.map(
        (l) =>
          JSON.parse(
            JSON.stringify(lineItem({ Quantity: l.qty.toNumber(), UnitPrice: l.price.toNumber() })),
          ) as Record<string, unknown>,
      );
      const r = expectOk(
        mapOpportunityToSalesOrder(
          opportunity({ Amount: expected.toDecimalPlaces(2).toNumber() }, records),
          cfg,
        ),
      );
      r.entity.lines.forEach((line, k) => {
        expect(new Decimal(JSON.stringify(line.OrderedSalesQuantity)).equals(lines[k]!.qty)).toBe(true);
        expect(new Decimal(JSON.stringify(line.SalesPrice)).equals(lines[k]!.price)).toBe(true);
      });
      expect(r.identity.expectedTotal).toBe(expected.toFixed(2));
      expect(r.warnings).toEqual([]);
    }
  });

  it('reject any quantity with more than the allowed decimals, whatever its size', () => {
    const rand = rng(3);
    for (let i = 0; i < 300; i++) {
      const places = 3 + Math.floor(rand() * 6);
      const value = new Decimal(Math.floor(rand() * 1e6) * 10 + 1 + Math.floor(rand() * 9)).dividedBy(
        10 ** places,
      );
      const result = checkDecimal(value.toNumber(), { places: 2, excess: 'reject', min: 'positive' });
      expect(result).toEqual({ ok: false, failure: 'tooManyDecimals' });
    }
  });
});
