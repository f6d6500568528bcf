import { describe, it, expect } from 'vitest';
import { and, anyOf, eq, ne, or } from '../../src/d365/odata/filter.js';
import { encodeUrlText, entityKey, enumValue, odataLiteral } from '../../src/d365/odata/literal.js';
import { buildQuery } from '../../src/d365/odata/query.js';

describe('odataLiteral', () => {
  it('quotes strings and doubles apostrophes', () => {
    expect(odataLiteral("O'Brien & Søn")).toBe("'O''Brien & Søn'");
    expect(odataLiteral("''")).toBe("''''''");
  });
  it('writes numbers, booleans, dates, enums and null', () => {
    expect(odataLiteral(5637144576)).toBe('5637144576');
    expect(odataLiteral(true)).toBe('true');
    expect(odataLiteral(new Date('2026-07-14T12:00:00Z'))).toBe('2026-07-14T12:00:00Z');
    expect(odataLiteral(enumValue('NoYes', 'Yes'))).toBe("Microsoft.Dynamics.DataEntities.NoYes'Yes'");
    expect(odataLiteral(null)).toBe('null');
  });
  it('refuses values that are not OData', () => {
    expect(() => odataLiteral(Number.NaN)).toThrow();
    expect(() => enumValue('NoYes', "Yes' or 1 eq 1")).toThrow();
  });
});

describe('entityKey', () => {
  it('names every part and URL-encodes the values', () => {
    expect(entityKey({ dataAreaId: 'usmf', CustomerAccount: "O'Brien & Søn" })).toBe(
      "(dataAreaId='usmf',CustomerAccount='O''Brien%20%26%20S%C3%B8n')",
    );
    expect(entityKey({ dataAreaId: 'dat', ItemNumber: ' RFI-TEST-001' })).toBe(
      "(dataAreaId='dat',ItemNumber='%20RFI-TEST-001')",
    );
    expect(entityKey({ dataAreaId: 'dat', InvoiceIdentifier: 5637144576 })).toBe(
      "(dataAreaId='dat',InvoiceIdentifier=5637144576)",
    );
  });
  it('refuses key names that are not identifiers', () => {
    expect(() => entityKey({ 'a)b': 'x' })).toThrow();
  });
});

describe('filters', () => {
  it('compose and escape', () => {
    const f = and(
      eq('AddressCity', 'Zürich'),
      or(eq('OrganizationName', "O'Brien & Søn"), ne('OnHoldStatus', enumValue('CustVendorBlocked', 'All'))),
    );
    expect(f.text).toBe(
      "(AddressCity eq 'Zürich') and ((OrganizationName eq 'O''Brien & Søn') or (OnHoldStatus ne Microsoft.Dynamics.DataEntities.CustVendorBlocked'All'))",
    );
    // Round trip: what the server decodes is exactly the filter text.
    expect(decodeURIComponent(encodeUrlText(f.text))).toBe(f.text);
    expect(encodeUrlText(f.text)).not.toMatch(/[ &+]/);
  });

  it('refuses field names with operators in them', () => {
    expect(() => eq('Name eq 1 or Name', 'x')).toThrow();
  });

  it('anyOf chunks or-ed eqs by encoded length and drops duplicates', () => {
    const values = Array.from({ length: 300 }, (_, i) => `CUST-${String(i).padStart(5, '0')}`);
    const chunks = anyOf('CustomerAccount', [...values, values[0]!], 500);
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) expect(encodeUrlText(c.text).length).toBeLessThanOrEqual(500);
    const all = chunks.flatMap((c) => [...c.text.matchAll(/'([^']*)'/g)].map((m) => m[1]));
    expect(all).toEqual(values);
  });
});

describe('buildQuery', () => {
  it('always names the company and sets cross-company', () => {
    const q = buildQuery({
      company: 'USMF',
      filter: eq('AddressCity', 'Zürich'),
      select: ['CustomerAccount'],
      top: 10,
    });
    expect(q).toBe(
      "cross-company=true&$filter=(dataAreaId%20eq%20'usmf')%20and%20(AddressCity%20eq%20'Z%C3%BCrich')&$select=CustomerAccount&$top=10",
    );
  });
  it('writes one-level expand with nested select and orderby', () => {
    expect(
      buildQuery({
        expand: [{ nav: 'SalesOrderLines', select: ['ItemNumber'] }],
        orderby: [['SalesOrderNumber', 'desc']],
      }),
    ).toBe('$expand=SalesOrderLines($select=ItemNumber)&$orderby=SalesOrderNumber%20desc');
  });
});
