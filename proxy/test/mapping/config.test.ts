import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BridgeConfigError, loadBridgeConfig, parseBridgeConfig } from '../../src/mapping/index.js';

function problems(text: string) {
  try {
    parseBridgeConfig(text, 'bridge.json');
  } catch (err) {
    expect(err).toBeInstanceOf(BridgeConfigError);
    return (err as BridgeConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

const valid = (extra = '') => `{
  "version": 1,
  "companies": {
    "usmf": { "customerGroup": "10", "currency": "USD" }
  }${extra}
}`;

describe('bridge config: defaults', () => {
  it('fills every default from a minimal file', () => {
    const cfg = parseBridgeConfig(valid());
    expect(cfg.routing).toEqual({ source: 'D365_Legal_Entity__c', map: {}, acceptCompanyIds: true });
    expect(cfg.customerNumbering).toEqual({
      mode: 'proxyRange',
      prefix: 'SF',
      start: 1,
      end: 999999,
      width: 6,
    });
    expect(cfg.address.splitStreetNumber).toBe('never');
    expect(cfg.address.validateStates).toEqual(['US', 'CA']);
    expect(cfg.orders).toMatchObject({
      quantityDecimals: 2,
      priceDecimals: 6,
      discountDecimals: 2,
      excessDecimals: 'reject',
      requestedDates: 'closeDate',
    });
    expect(cfg.customer).toEqual({
      correlationField: 'KnownAs',
      addressSource: 'Billing',
      fullNameField: null,
      extraFields: {},
    });
  });

  it('normalises company ids, currencies and routing keys', () => {
    const cfg = parseBridgeConfig(`{
      "version": 1,
      "companies": { "USMF": { "customerGroup": "10", "currency": "usd" } },
      "routing": { "map": { "  US  Manufacturing ": "USMF" } }
    }`);
    expect(Object.keys(cfg.companies)).toEqual(['usmf']);
    expect(cfg.companies.usmf!.currency).toBe('USD');
    expect(cfg.routing.map).toEqual({ 'us manufacturing': 'usmf' });
  });

  it('ignores $comment keys and the top-level $schema', () => {
    const cfg = parseBridgeConfig(`{
      "$schema": "./bridge.schema.json",
      "$comment": "notes",
      "version": 1,
      "companies": { "usmf": { "$comment": "US", "customerGroup": "10", "currency": "USD" } }
    }`);
    expect(cfg.companies.usmf!.customerGroup).toBe('10');
  });

  it('accepts fnoSequence numbering with a correlation field, per company too', () => {
    const cfg = parseBridgeConfig(`{
      "version": 1,
      "customerNumbering": { "mode": "fnoSequence", "correlationField": "KnownAs" },
      "companies": {
        "usmf": { "customerGroup": "10", "currency": "USD" },
        "demf": { "customerGroup": "20", "currency": "EUR", "customerNumbering": { "mode": "proxyRange", "prefix": "DE", "width": 5 } }
      }
    }`);
    expect(cfg.customerNumbering).toEqual({ mode: 'fnoSequence', correlationField: 'KnownAs' });
    expect(cfg.companies.demf!.customerNumbering).toEqual({
      mode: 'proxyRange',
      prefix: 'DE',
      start: 1,
      end: 99999,
      width: 5,
    });
  });
});

describe('bridge config: errors name the place', () => {
  it('reports a bad value with its JSON path, line and column', () => {
    const text = `{
  "version": 1,
  "companies": {
    "usmf": {
      "customerGroup": "10",
      "currency": "DOLLARS"
    }
  }
}`;
    const [p] = problems(text);
    expect(p).toMatchObject({ path: 'companies.usmf.currency', line: 6, column: 19 });
    expect(p!.message).toMatch(/ISO 4217/);
  });

  it('reports a misspelt option at its own line', () => {
    const text = `{
  "version": 1,
  "companies": {
    "usmf": {
      "customerGroup": "10",
      "currency": "USD",
      "customerGrup": "20"
    }
  }
}`;
    const [p] = problems(text);
    expect(p).toMatchObject({ path: 'companies.usmf.customerGrup', line: 7 });
    expect(p!.message).toMatch(/unknown option "customerGrup"/);
  });

  it('reports a missing required option at the object that lacks it', () => {
    const text = `{
  "version": 1,
  "companies": {
    "usmf": { "currency": "USD" }
  }
}`;
    const [p] = problems(text);
    expect(p).toMatchObject({
      path: 'companies.usmf.customerGroup',
      line: 4,
      message: expect.stringMatching(/required/),
    });
  });

  it('refuses a routing entry that points at an unconfigured company', () => {
    const text = valid(`,
  "routing": {
    "map": { "US": "usmf", "CA": "cafr" }
  }`);
    const [p] = problems(text);
    expect(p).toMatchObject({ path: 'routing.map.CA', line: 7 });
    expect(p!.message).toMatch(/cafr.*not under "companies"/);
  });

  it('refuses two routing values that only differ in case or spacing but go to different companies', () => {
    const text = `{
  "version": 1,
  "companies": { "usmf": { "customerGroup": "10", "currency": "USD" }, "usrt": { "customerGroup": "30", "currency": "USD" } },
  "routing": { "map": { "Retail": "usrt", " retail ": "usmf" } }
}`;
    expect(problems(text)[0]!.message).toMatch(/matches another entry/);
  });

  it('refuses a legal entity id longer than 4 characters', () => {
    const [p] = problems(
      `{ "version": 1, "companies": { "usmf1": { "customerGroup": "10", "currency": "USD" } } }`,
    );
    expect(p).toMatchObject({ path: 'companies.usmf1' });
    expect(p!.message).toMatch(/1 to 4 letters or digits/);
  });

  it('refuses a customer number that cannot fit 20 characters, and fnoSequence without a correlation field', () => {
    expect(
      problems(
        valid(`, "customerNumbering": { "mode": "proxyRange", "prefix": "ABCDEFGHIJ", "width": 12 }`),
      )[0],
    ).toMatchObject({
      path: 'customerNumbering.width',
    });
    expect(problems(valid(`, "customerNumbering": { "mode": "fnoSequence" }`))[0]).toMatchObject({
      path: 'customerNumbering.correlationField',
      message: expect.stringMatching(/required/),
    });
    expect(
      problems(valid(`, "customerNumbering": { "mode": "proxyRange", "start": 10, "end": 5 }`))[0],
    ).toMatchObject({
      path: 'customerNumbering.start',
    });
  });

  it('refuses a warehouse without a site, and a default currency outside the allow-list', () => {
    const text = `{ "version": 1, "companies": { "usmf": { "customerGroup": "10", "currency": "USD", "warehouse": "11", "currencies": ["EUR"] } } }`;
    const paths = problems(text).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['companies.usmf.warehouse', 'companies.usmf.currencies']));
  });

  it('accepts customer price groups for price books, and says what is wrong with a bad one', () => {
    const ok = parseBridgeConfig(
      `{ "version": 1, "companies": { "usmf": { "customerGroup": "10", "currency": "USD", "priceGroups": [" RETAIL ", "10"] } } }`,
    );
    expect(ok.companies.usmf!.priceGroups).toEqual(['RETAIL', '10']);
    const text = `{ "version": 1, "companies": {
      "usmf": { "customerGroup": "10", "currency": "USD", "priceGroups": ["WHOLESALE-EU", "A|B"] },
      "usrt": { "customerGroup": "10", "currency": "USD", "priceGroups": [] }
    } }`;
    expect(problems(text).map((p) => [p.path, p.message, p.line])).toEqual([
      [
        'companies.usmf.priceGroups[0]',
        expect.stringMatching(/1 to 10 characters without \|, e\.g\. RETAIL/),
        2,
      ],
      ['companies.usmf.priceGroups[1]', expect.stringMatching(/customer price group id/), 2],
      ['companies.usrt.priceGroups', 'list at least one price group, or leave it out', 3],
    ]);
    const [twice] = problems(valid().replace('"USD" }', '"USD", "priceGroups": ["RETAIL", "retail"] }'));
    expect(twice).toMatchObject({
      path: 'companies.usmf.priceGroups[1]',
      message: 'price group retail is listed twice (F&O compares them case-insensitively)',
    });
  });

  it('refuses extraFields that would overwrite a key', () => {
    const [p] = problems(valid(`, "customer": { "extraFields": { "CustomerAccount": "AccountNumber" } }`));
    expect(p).toMatchObject({ path: 'customer.extraFields.CustomerAccount' });
  });

  it('refuses an unknown country code or country-name locale', () => {
    const paths = problems(
      valid(`, "address": { "validateStates": ["US", "XX"], "countryNameLocales": ["en", "klingon"] }`),
    ).map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(['address.validateStates[1]', 'address.countryNameLocales[1]']),
    );
  });

  it('reports a JSON syntax error with its line', () => {
    const text = `{
  "version": 1,
  "companies": {,
}`;
    const [p] = problems(text);
    expect(p!.line).toBe(3);
    expect(p!.message).toMatch(/not valid JSON/);
  });

  it('requires version 1 and at least one company', () => {
    const paths = problems(`{ "version": 2, "companies": {} }`).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['version', 'companies']));
  });
});

describe('loadBridgeConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-config-'));

  it('reads a file and names it with the line in errors', () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, '\uFEFF' + valid());
    expect(loadBridgeConfig(good).companies.usmf!.customerGroup).toBe('10');

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, valid().replace('"10"', '10'));
    expect(() => loadBridgeConfig(bad)).toThrow(
      new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:4:\\d+ +companies\\.usmf\\.customerGroup`),
    );
  });

  it('says when the file is missing', () => {
    expect(() => loadBridgeConfig(join(dir, 'nope.json'))).toThrow(/file not found/);
  });
});
