import { describe, expect, it } from 'vitest';
import { provesOwnership } from '../../src/flows/numbering/ownership.js';

const ID = '001Hs00001Xa1bQIAR';

describe('provesOwnership', () => {
  it('accepts the 18-character Id, or its 15-character form typed by hand', () => {
    expect(provesOwnership(ID, ID)).toBe(true);
    expect(provesOwnership(` ${ID} `, ID)).toBe(true);
    expect(provesOwnership(ID.slice(0, 15), ID)).toBe(true);
  });

  it('refuses empty, another Id, a case variant and non-text', () => {
    expect(provesOwnership('', ID)).toBe(false);
    expect(provesOwnership(undefined, ID)).toBe(false);
    expect(provesOwnership('001Hs00001Xa1bRIAR', ID)).toBe(false);
    expect(provesOwnership(ID.slice(0, 15).toLowerCase(), ID)).toBe(false);
    expect(provesOwnership(ID.slice(0, 14), ID)).toBe(false);
    expect(provesOwnership(42, ID)).toBe(false);
  });
});
