import { describe, it, expect } from 'vitest';
import { retryAfterMs } from '../../src/d365/retry-after.js';

describe('retryAfterMs', () => {
  const now = Date.parse('2026-03-01T10:00:00Z');

  it('reads retry-after-ms first', () => {
    expect(retryAfterMs({ 'retry-after-ms': '1500', 'Retry-After': '60' }, now)).toBe(1500);
  });

  it('then x-ms-retry-after-ms', () => {
    expect(retryAfterMs({ 'x-ms-retry-after-ms': '250', 'retry-after': '60' }, now)).toBe(250);
  });

  it('reads Retry-After as seconds, as F&O sends it', () => {
    expect(retryAfterMs({ 'Retry-After': '60' }, now)).toBe(60_000);
    expect(retryAfterMs({ 'retry-after': ['3'] }, now)).toBe(3000);
  });

  it('reads Retry-After as an HTTP-date relative to now', () => {
    expect(retryAfterMs({ 'retry-after': 'Sun, 01 Mar 2026 10:00:30 GMT' }, now)).toBe(30_000);
  });

  it('floors a past HTTP-date at 0', () => {
    expect(retryAfterMs({ 'retry-after': 'Sun, 01 Mar 2026 09:59:00 GMT' }, now)).toBe(0);
  });

  it('returns undefined without a usable header', () => {
    expect(retryAfterMs({}, now)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
  });

  it('accepts a Headers object', () => {
    expect(retryAfterMs(new Headers({ 'Retry-After': '2' }), now)).toBe(2000);
  });
});
