/**
 * The fields flow 4 selects exist on the real entities: ReleasedProductsV2 as a real F&O answered
 * (a recorded response, test/fixtures/recorded), SalesPriceAgreements as its `$metadata` lists it
 * (the emulator's schema is generated from that). A misspelt `$select` fails F&O with 400.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRICE_FIELDS, PRODUCT_FIELDS } from '../../src/flows/products/read-fno.js';
import { entityBySet } from '../../../test/emulators/d365/entities/index.js';

const recorded = JSON.parse(
  readFileSync(
    new URL(
      '../../../test/fixtures/recorded/d365/odata/ReleasedProductsV2.get-by-key.response.json',
      import.meta.url,
    ),
    'utf8',
  ),
) as Record<string, unknown>;

describe('flow 4 selects real field names', () => {
  it('ReleasedProductsV2: every selected field is in a recorded response', () => {
    for (const f of PRODUCT_FIELDS) expect(recorded, f).toHaveProperty(f);
    // The recorded item is one of the awkward ones the catalogue seeds: its number starts with a space.
    expect(recorded.ItemNumber).toBe(' RFI-TEST-001');
  });

  it('SalesPriceAgreements: every selected field is a property of the real entity', () => {
    const real = entityBySet('SalesPriceAgreements')!.schema.realProperties;
    for (const f of PRICE_FIELDS) expect(real.has(f), f).toBe(true);
  });
});
