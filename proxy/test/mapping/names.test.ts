import { describe, expect, it } from 'vitest';
import { cleanText, cutAt, searchName, truncateAtWord } from '../../src/mapping/names.js';

describe('truncateAtWord', () => {
  it('keeps names that fit, untouched', () => {
    expect(truncateAtWord("O'Brien & Søn GmbH", 100)).toBe("O'Brien & Søn GmbH");
  });

  it('cuts at the last word boundary, without an ellipsis or a dangling separator', () => {
    expect(truncateAtWord('Northwind Traders International Holdings', 30)).toBe('Northwind Traders');
    expect(truncateAtWord("O'Brien & Søn GmbH", 10)).toBe("O'Brien");
    expect(truncateAtWord('Alpha, Beta Gamma', 7)).toBe('Alpha');
  });

  it('cuts hard when the only boundary is too early (one very long word)', () => {
    const name = 'A ' + 'x'.repeat(200);
    expect(truncateAtWord(name, 100)).toBe(name.slice(0, 100));
  });

  it('uses a boundary right at the limit', () => {
    const name = 'a'.repeat(100) + ' tail';
    expect(truncateAtWord(name, 100)).toBe('a'.repeat(100));
  });

  it('never splits a surrogate pair (emoji count as two UTF-16 units, as in nvarchar)', () => {
    const name = 'x'.repeat(99) + '😀 more';
    const cut = truncateAtWord(name, 100);
    expect(cut).toBe('x'.repeat(99));
    expect(cutAt('ab😀', 3)).toBe('ab');
  });
});

describe('cleanText and searchName', () => {
  it('normalises to NFC and collapses whitespace', () => {
    const decomposed = 'Zu\u0308rich\n  AG';
    expect(cleanText(decomposed)).toBe('Zürich AG');
    expect(cleanText(decomposed).length).toBe(9);
  });

  it('derives the 20-character search name the way F&O does', () => {
    expect(searchName('Ingenious Development LLC')).toBe('Ingenious Developmen');
    expect(searchName('Łódź Maszyny Spółka Akcyjna')).toBe('Łódź Maszyny Spółka');
  });
});
