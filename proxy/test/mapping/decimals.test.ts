import { describe, expect, it } from 'vitest';
import {
  Decimal,
  checkDecimal,
  toDecimal,
  toJsonNumber,
  type DecimalRule,
} from '../../src/mapping/decimals.js';

const qty: DecimalRule = { places: 2, excess: 'reject', min: 'positive' };

describe('decimal rules', () => {
  it('reads binary float noise as the decimal that was meant (0.1 + 0.2)', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(toDecimal(0.1 + 0.2)!.toString()).toBe('0.3');
    expect(checkDecimal(0.1 + 0.2, qty)).toMatchObject({ ok: true, value: 0.3 });
    expect(JSON.stringify({ q: (checkDecimal(1.1 * 3, qty) as { value: number }).value })).toBe('{"q":3.3}');
  });

  it('rejects more decimals than allowed instead of rounding what was sold', () => {
    expect(checkDecimal(19.999999, qty)).toEqual({ ok: false, failure: 'tooManyDecimals' });
    expect(checkDecimal('1.005', qty)).toEqual({ ok: false, failure: 'tooManyDecimals' });
  });

  it('rounds half-up when the config says so', () => {
    const round: DecimalRule = { ...qty, excess: 'round' };
    expect(checkDecimal(19.999999, round)).toMatchObject({ ok: true, value: 20 });
    expect(checkDecimal('1.005', round)).toMatchObject({ ok: true, value: 1.01 });
    expect(checkDecimal(2.675, round)).toMatchObject({ ok: true, value: 2.68 }); // 2.675 is 2.67499999… as a double
  });

  it('rejects negative, zero (for quantities), non-numbers and values above the max', () => {
    expect(checkDecimal(-1, qty)).toEqual({ ok: false, failure: 'negative' });
    expect(checkDecimal(0, qty)).toEqual({ ok: false, failure: 'zero' });
    expect(checkDecimal(0, { ...qty, min: 'nonNegative' })).toMatchObject({ ok: true, value: 0 });
    expect(checkDecimal('ten', qty)).toEqual({ ok: false, failure: 'notANumber' });
    expect(checkDecimal(Number.NaN, qty)).toEqual({ ok: false, failure: 'notANumber' });
    expect(checkDecimal(true, qty)).toEqual({ ok: false, failure: 'notANumber' });
    expect(checkDecimal(100.01, { ...qty, max: 100 })).toEqual({ ok: false, failure: 'tooLarge' });
  });

  it('keeps numeric strings exact and refuses what a JSON number cannot carry', () => {
    expect(checkDecimal('12.34', qty)).toMatchObject({ ok: true, value: 12.34 });
    expect(toJsonNumber(new Decimal('0.1'))).toBe(0.1);
    expect(toJsonNumber(new Decimal('12345678901234567.8'))).toBeUndefined();
    expect(checkDecimal('12345678901234567', { places: 0, excess: 'reject', min: 'positive' })).toEqual({
      ok: false,
      failure: 'unrepresentable',
    });
  });
});
