/**
 * The mapping and routing file (`BRIDGE_CONFIG`): which F&O company a record goes to, the per-company
 * defaults, how customers get their number, and the knobs of the field mapping. Validated once at
 * startup; an error names the JSON path and the line and column in the file. Every object is strict, so
 * a misspelt option ("customerGrup") is an error rather than silently ignored. Keys named `$comment`
 * (anywhere) and `$schema` are allowed and ignored, for notes inside a JSON file.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_COUNTRY_NAME_LOCALES, isAlpha2, knownCountryNameLocales } from './countries.js';
import { isIsoCurrency } from './currency.js';
import { locateJsonPath, syntaxErrorPosition, type JsonPath, type TextPosition } from './json-locate.js';

// ── building blocks ──────────────────────────────────────────────────────────────────────────────

const nonBlank = z.string().trim().min(1, 'must not be blank');

/** A legal entity id (dataAreaId): 1–4 letters or digits, stored lower case as F&O returns it. */
const companyId = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9]{1,4}$/,
    'must be an F&O legal entity id (dataAreaId): 1 to 4 letters or digits, e.g. usmf',
  )
  .transform((s) => s.toLowerCase());

const currencyCode = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .refine(isIsoCurrency, 'must be an ISO 4217 currency code such as USD or EUR');

const countryCode = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .refine(isAlpha2, 'must be an ISO 3166-1 alpha-2 country code such as US or DE');

/** An F&O entity field name (`CustomerGroupId`, `SalesMemo`). */
const fnoField = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,80}$/, 'must be an F&O field name such as SalesMemo');

/** A Salesforce field path relative to the record (`Industry`, `Owner.UserRole.DeveloperName`). */
const sfFieldPath = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*$/,
    'must be a Salesforce field API name or a dotted relationship path such as RecordType.DeveloperName',
  );

/** Keys the proxy owns on each F&O entity: never overridable from `extraFields`. */
const KEY_FIELDS = ['dataAreaId', 'CustomerAccount', 'ContactPersonId', 'SalesOrderNumber', 'InventoryLotId'];

/** F&O field → Salesforce field path, copied when the Salesforce field has a value (overrides the mapped value). */
const extraFields = z
  .record(fnoField, sfFieldPath)
  .superRefine((map, ctx) => {
    for (const key of Object.keys(map)) {
      if (KEY_FIELDS.includes(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} is a key the proxy sets itself; it cannot be mapped`,
        });
      }
    }
  })
  .default({});

/**
 * The F&O field that carries the Salesforce Id of the record the proxy created it for: written on
 * create, and read back before any update to prove the F&O record is this Salesforce record's
 * (docs/mapping.md "Which F&O record is ours"). A custom field (e.g. `SalesforceId` added to
 * CustTable and the entity) is named here like a standard one.
 */
const correlationField = fnoField.refine((f) => !KEY_FIELDS.includes(f), 'must not be a key field');

// ── customer numbering (docs/flows.md, "Create-once guarantees") ─────────────────────────────────────

/**
 * A range of numbers the proxy assigns itself (customer accounts, sales orders): `prefix` +
 * zero-padded number, checked to fit F&O's 20-character key.
 */
function numberRange<M extends z.ZodType<'proxyRange'>>(opts: {
  mode: M;
  prefix: string;
  width: number;
  what: string;
}) {
  return z
    .strictObject({
      mode: opts.mode,
      /** Text before the number, e.g. `SF` → `SF000001`. */
      prefix: z
        .string()
        .regex(/^[A-Za-z0-9_-]{0,10}$/, 'must be up to 10 letters, digits, - or _')
        .default(opts.prefix),
      /** First number of the range, inclusive. */
      start: z.int().min(0).default(1),
      /** Last number of the range, inclusive; default: the largest number that fits `width`. */
      end: z.int().min(0).optional(),
      /** Digits, zero-padded. */
      width: z.int().min(1).max(18).default(opts.width),
    })
    .transform((r, ctx) => {
      const max = 10 ** r.width - 1;
      const end = r.end ?? max;
      if (r.prefix.length + r.width > 20) {
        ctx.addIssue({
          code: 'custom',
          path: ['width'],
          message: `prefix + width must fit the 20-character ${opts.what}`,
        });
      }
      if (end > max)
        ctx.addIssue({
          code: 'custom',
          path: ['end'],
          message: `must fit ${r.width} digits (at most ${max})`,
        });
      if (r.start > end)
        ctx.addIssue({ code: 'custom', path: ['start'], message: 'must not be greater than end' });
      return { ...r, end };
    });
}

const proxyRange = numberRange({
  mode: z.literal('proxyRange'),
  prefix: 'SF',
  width: 6,
  what: 'customer account',
});

const fnoSequence = z.strictObject({
  mode: z.literal('fnoSequence'),
  /**
   * The CustomersV3 field that receives the Salesforce Account Id, so a retry after an ambiguous
   * failure can find the customer F&O already created. Required: without it a timed-out create can
   * become a duplicate customer.
   */
  correlationField,
});

const customerNumbering = z.discriminatedUnion('mode', [proxyRange, fnoSequence]);

// ── companies ────────────────────────────────────────────────────────────────────────────────────

/**
 * An F&O customer price group id (PriceDiscGroup, up to 10 characters), e.g. RETAIL. No `|`: it
 * separates the parts of a price entry's key (`D365_Price_Key__c`).
 */
const priceGroupId = z
  .string()
  .trim()
  .regex(
    /^[^|\p{Cc}]{1,10}$/u,
    'must be an F&O customer price group id (PriceCustomerGroupCode): 1 to 10 characters without |, e.g. RETAIL',
  );

const company = z
  .strictObject({
    /** Free text for operators ("US manufacturing"). */
    description: z.string().optional(),
    /** CustomersV3.CustomerGroupId for new customers (must exist in F&O's CustomerGroups). */
    customerGroup: nonBlank,
    /** Default currency: CustomersV3.SalesCurrencyCode, and the order currency when the record has none. */
    currency: currencyCode,
    /** Currencies this legal entity trades in; a record in any other is rejected (UNKNOWN_CURRENCY). Default: any ISO 4217 code. */
    currencies: z.array(currencyCode).min(1).optional(),
    /** CustomersV3.PaymentTerms for new customers (omitted: F&O takes the customer group's). */
    paymentTerms: nonBlank.optional(),
    /** CustomersV3.PaymentMethod for new customers. */
    paymentMethod: nonBlank.optional(),
    /** CustomersV3.DeliveryMode for new customers and SalesOrderHeadersV2.DeliveryModeCode for orders. */
    deliveryMode: nonBlank.optional(),
    /** CustomersV3.DeliveryTerms and SalesOrderHeadersV2.DeliveryTermsCode. */
    deliveryTerms: nonBlank.optional(),
    /** CustomersV3.SalesTaxGroup for new customers. */
    salesTaxGroup: nonBlank.optional(),
    /** LanguageId for customers and orders, e.g. en-US. */
    language: z
      .string()
      .regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,4})?$/, 'must be a language id such as en-US')
      .optional(),
    /** Order site (DefaultShippingSiteId / ShippingSiteId). */
    site: nonBlank.optional(),
    /** Order warehouse (DefaultShippingWarehouseId / ShippingWarehouseId); needs `site`. */
    warehouse: nonBlank.optional(),
    /** Country for an address that has none in Salesforce (ISO alpha-2); without it such an address is rejected. */
    defaultCountry: countryCode.optional(),
    /** Overrides the top-level `customerNumbering` for this company. */
    customerNumbering: customerNumbering.optional(),
    /**
     * Flow 4: customer price groups (`PriceCustomerGroupCode` of F&O's sales trade agreements) that
     * get a price book of their own besides the list price, e.g. `F&O USMF group RETAIL`.
     */
    priceGroups: z.array(priceGroupId).min(1, 'list at least one price group, or leave it out').optional(),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.priceGroups?.forEach((g, i) => {
      if (seen.has(g.toLowerCase()))
        ctx.addIssue({
          code: 'custom',
          path: ['priceGroups', i],
          message: `price group ${g} is listed twice (F&O compares them case-insensitively)`,
        });
      seen.add(g.toLowerCase());
    });
    if (c.warehouse && !c.site)
      ctx.addIssue({ code: 'custom', path: ['warehouse'], message: 'a warehouse needs a site' });
    if (c.currencies && !c.currencies.includes(c.currency)) {
      ctx.addIssue({
        code: 'custom',
        path: ['currencies'],
        message: `must include the default currency ${c.currency}`,
      });
    }
  });

// ── the file ─────────────────────────────────────────────────────────────────────────────────────

const routing = z.strictObject({
  /**
   * Field on the Account that decides the company (a dotted path for parent fields:
   * `RecordType.DeveloperName`, `Owner.UserRole.DeveloperName`). Contacts and Opportunities are routed by
   * their Account's value. The package's own fields get the namespace prefix automatically.
   */
  source: sfFieldPath.default('D365_Legal_Entity__c'),
  /** Salesforce value → dataAreaId. Matched trimmed and case-insensitively. */
  map: z.record(z.string(), companyId).default({}),
  /** Also accept a value that is itself a configured company id ("usmf" → usmf). */
  acceptCompanyIds: z.boolean().default(true),
});

const address = z.strictObject({
  /** Split "123 Main St" / "Hauptstraße 5a" into street + number: `never`, `always`, or a list of ISO alpha-2 countries. */
  splitStreetNumber: z.union([z.enum(['never', 'always']), z.array(countryCode)]).default('never'),
  /** Countries whose state is validated against ISO 3166-2 (and given as a name, turned into the code). */
  validateStates: z.array(countryCode).default(['US', 'CA']),
  /** Languages in which a country given by name is recognised. */
  countryNameLocales: z
    .array(
      z
        .string()
        .refine((l) => knownCountryNameLocales().includes(l), 'is not a locale i18n-iso-countries knows'),
    )
    .min(1)
    .default(DEFAULT_COUNTRY_NAME_LOCALES),
  /** ISO alpha-2 → F&O CountryRegionId, where this F&O uses ids other than ISO alpha-3. */
  countryRegionIds: z
    .record(z.string(), z.string().regex(/^[A-Za-z0-9]{1,10}$/, 'must be an F&O country/region id'))
    .default({}),
});

const customer = z.strictObject({
  /** CustomersV3 field that receives the Account Id (proxyRange numbering; fnoSequence names its own). */
  correlationField: correlationField.default('KnownAs'),
  /** Which Account address becomes the customer's primary address. */
  addressSource: z.enum(['Billing', 'Shipping']).default('Billing'),
  /** F&O field that receives the full name when it had to be cut to 100 characters (e.g. SalesMemo); null: none. */
  fullNameField: fnoField.nullable().default(null),
  extraFields,
});

const contact = z.strictObject({
  /** ContactPersons field that receives the Contact Id. */
  correlationField: correlationField.default('KnownAsName'),
  extraFields,
});

/**
 * Sales order numbers assigned by the proxy (docs/flows.md, "Create-once guarantees"): the number is
 * allocated per Opportunity and stored before the first attempt, so the header and every line of the
 * one `$batch` changeset carry it explicitly and a retry can never create a second order. F&O's
 * sales order number sequence must allow manual numbers in this range.
 */
const orderNumbering = numberRange({
  mode: z.literal('proxyRange').default('proxyRange'),
  prefix: 'SFO',
  width: 7,
  what: 'sales order number',
});

const orders = z.strictObject({
  /** Requested shipping/receipt dates: from the Opportunity's CloseDate, or left to F&O (today). */
  requestedDates: z.enum(['closeDate', 'none']).default('closeDate'),
  /** Decimal places allowed in a quantity. */
  quantityDecimals: z.int().min(0).max(6).default(2),
  /** Decimal places allowed in a unit price. */
  priceDecimals: z.int().min(0).max(10).default(6),
  /** Decimal places allowed in a discount percentage. */
  discountDecimals: z.int().min(0).max(6).default(2),
  /** More decimals than allowed: `reject` the order (default) or `round` half-up. */
  excessDecimals: z.enum(['reject', 'round']).default('reject'),
  /** Product2.QuantityUnitOfMeasure → F&O SalesUnitSymbol; unmapped units are left to F&O (the item's sales unit). */
  unitMap: z.record(z.string(), nonBlank).default({}),
  /** Warn when the lines do not add up to Opportunity.Amount. */
  checkTotal: z.boolean().default(true),
  headerExtraFields: extraFields,
  lineExtraFields: extraFields,
  /** How sales orders are numbered (proxy range only: the lines need the number inside one changeset). */
  numbering: orderNumbering.prefault({}),
});

export const BridgeConfigSchema = z
  .strictObject({
    version: z.literal(1, 'must be 1'),
    routing: routing.prefault({}),
    companies: z
      .record(z.string(), company)
      .refine((c) => Object.keys(c).length > 0, 'at least one company is required'),
    customerNumbering: customerNumbering.prefault({ mode: 'proxyRange' }),
    address: address.prefault({}),
    customer: customer.prefault({}),
    contact: contact.prefault({}),
    orders: orders.prefault({}),
  })
  .transform((cfg, ctx) => {
    // Company ids are case-insensitive in F&O: store them lower case, refuse two spellings of one id.
    const companies: Record<string, z.infer<typeof company>> = {};
    for (const [rawId, value] of Object.entries(cfg.companies)) {
      const parsed = companyId.safeParse(rawId);
      if (!parsed.success) {
        ctx.addIssue({
          code: 'custom',
          path: ['companies', rawId],
          message: parsed.error.issues[0]!.message,
        });
        continue;
      }
      if (companies[parsed.data]) {
        ctx.addIssue({
          code: 'custom',
          path: ['companies', rawId],
          message: `company ${parsed.data} is defined twice`,
        });
      }
      companies[parsed.data] = value;
    }
    const map: Record<string, string> = {};
    for (const [value, target] of Object.entries(cfg.routing.map)) {
      const key = normaliseRoutingValue(value);
      if (!key)
        ctx.addIssue({
          code: 'custom',
          path: ['routing', 'map', value],
          message: 'a blank value cannot be routed',
        });
      else if (map[key] !== undefined && map[key] !== target) {
        ctx.addIssue({
          code: 'custom',
          path: ['routing', 'map', value],
          message: `"${value}" matches another entry (values are compared trimmed and case-insensitively) with a different company`,
        });
      }
      if (!companies[target]) {
        ctx.addIssue({
          code: 'custom',
          path: ['routing', 'map', value],
          message: `routes to ${target}, which is not under "companies"`,
        });
      }
      map[key] = target;
    }
    for (const [alpha2, id] of Object.entries(cfg.address.countryRegionIds)) {
      if (!isAlpha2(alpha2.toUpperCase())) {
        ctx.addIssue({
          code: 'custom',
          path: ['address', 'countryRegionIds', alpha2],
          message: 'key must be an ISO alpha-2 code',
        });
      }
      void id;
    }
    const owned: Array<[string[], Record<string, string>, string]> = [
      [['customer', 'extraFields'], cfg.customer.extraFields, cfg.customer.correlationField],
      [['contact', 'extraFields'], cfg.contact.extraFields, cfg.contact.correlationField],
      [['orders', 'headerExtraFields'], cfg.orders.headerExtraFields, ORDER_CORRELATION_FIELD],
    ];
    const numberings = [
      cfg.customerNumbering,
      ...Object.values(cfg.companies).map((c) => c.customerNumbering),
    ];
    for (const n of numberings) {
      if (n?.mode === 'fnoSequence')
        owned.push([['customer', 'extraFields'], cfg.customer.extraFields, n.correlationField]);
    }
    for (const [path, extras, field] of owned) {
      if (extras[field] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, field],
          message: `${field} is the correlation field that proves a record is the proxy's; it cannot be mapped`,
        });
      }
    }
    if (cfg.customer.fullNameField && cfg.customer.fullNameField === cfg.customer.correlationField) {
      ctx.addIssue({
        code: 'custom',
        path: ['customer', 'fullNameField'],
        message: `${cfg.customer.fullNameField} is the customer correlation field; pick another field for the full name`,
      });
    }
    const countryRegionIds = Object.fromEntries(
      Object.entries(cfg.address.countryRegionIds).map(([k, v]) => [k.toUpperCase(), v.toUpperCase()]),
    );
    const unitMap = Object.fromEntries(
      Object.entries(cfg.orders.unitMap).map(([k, v]) => [normaliseRoutingValue(k), v]),
    );
    return {
      ...cfg,
      companies,
      routing: { ...cfg.routing, map },
      address: { ...cfg.address, countryRegionIds },
      orders: { ...cfg.orders, unitMap },
    };
  });

/** The validated config; `routing.map` and `orders.unitMap` keys are normalised (trimmed, lower case). */
export type BridgeConfig = z.output<typeof BridgeConfigSchema>;
export type BridgeConfigInput = z.input<typeof BridgeConfigSchema>;
export type CompanyConfig = BridgeConfig['companies'][string];
export type CustomerNumbering = BridgeConfig['customerNumbering'];
export type OrderNumbering = BridgeConfig['orders']['numbering'];

/** How routing values and unit names are compared: trimmed, inner whitespace collapsed, lower case. */
export function normaliseRoutingValue(value: string): string {
  return value.normalize('NFC').trim().replace(/\s+/gu, ' ').toLowerCase();
}

/** `CustomersOrderReference` = Opportunity Id: how a sales order is found again and proven ours. */
export const ORDER_CORRELATION_FIELD = 'CustomersOrderReference';

/** The CustomersV3 field that holds the Account Id for a company (fnoSequence names its own). */
export function customerCorrelationField(cfg: BridgeConfig, companyId: string): string {
  const numbering = numberingFor(cfg, companyId);
  return numbering.mode === 'fnoSequence' ? numbering.correlationField : cfg.customer.correlationField;
}

/** The numbering in force for a company (its own, else the top-level one). */
export function numberingFor(cfg: BridgeConfig, companyId: string): CustomerNumbering {
  return cfg.companies[companyId]?.customerNumbering ?? cfg.customerNumbering;
}

// ── parsing and errors ───────────────────────────────────────────────────────────────────────────

export interface ConfigProblem {
  /** JSON path, e.g. `companies.usmf.currency`. */
  path: string;
  message: string;
  line?: number;
  column?: number;
}

export class BridgeConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(source: string, problems: ConfigProblem[]) {
    const lines = problems.map((p) => {
      const where = p.line !== undefined ? `${source}:${p.line}:${p.column}` : source;
      return `  ${where}  ${p.path || '(top level)'}: ${p.message}`;
    });
    super(`Invalid bridge config (BRIDGE_CONFIG) ${source}:\n${lines.join('\n')}`);
    this.name = 'BridgeConfigError';
    this.problems = problems;
  }
}

/** Removes `$comment` keys (anywhere) and the top-level `$schema` key. */
function stripComments(value: unknown, top = true): unknown {
  if (Array.isArray(value)) return value.map((v) => stripComments(v, false));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '$comment' || (top && k === '$schema')) continue;
    out[k] = stripComments(v, false);
  }
  return out;
}

function formatPath(path: JsonPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Validates an already-parsed config object (no positions in errors). */
export function validateBridgeConfig(value: unknown, source = 'bridge config'): BridgeConfig {
  return validated(value, source);
}

/** The schema's verdict; each problem is worded for operators and, given the text, located in it. */
function validated(value: unknown, source: string, text?: string): BridgeConfig {
  const parsed = BridgeConfigSchema.safeParse(stripComments(value));
  if (parsed.success) return parsed.data;
  throw new BridgeConfigError(
    source,
    parsed.error.issues.map((i) => {
      const { path, message } = describeIssue(i);
      return { path: formatPath(path), message, ...(text === undefined ? {} : locateJsonPath(text, path)) };
    }),
  );
}

/** Operator wording for a zod issue; an unknown key is reported at the key itself. */
function describeIssue(issue: z.core.$ZodIssue): { path: JsonPath; message: string } {
  const path = issue.path as JsonPath;
  if (issue.code === 'unrecognized_keys') {
    const [first] = issue.keys;
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return {
      path: first === undefined ? path : [...path, first],
      message: `unknown option ${keys} (check the spelling)`,
    };
  }
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
    return { path, message: `is required (${issue.expected})` };
  }
  return { path, message: issue.message };
}

/** Parses and validates the text of a JSON config file; errors carry line and column. */
export function parseBridgeConfig(text: string, source = 'bridge config'): BridgeConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const at: TextPosition | undefined = syntaxErrorPosition(text, message);
    throw new BridgeConfigError(source, [{ path: '', message: `not valid JSON: ${message}`, ...at }]);
  }
  return validated(value, source, text);
}

/** Reads, parses and validates the file at `path` (called once at startup; throws BridgeConfigError). */
export function loadBridgeConfig(path: string): BridgeConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new BridgeConfigError(path, [{ path: '', message: `cannot read the file: ${reason}` }]);
  }
  return parseBridgeConfig(text.replace(/^\uFEFF/, ''), path);
}
