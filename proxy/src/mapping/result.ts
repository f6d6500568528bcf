/**
 * What every mapper returns: an F&O body ready to send, or a rejection that says why in words an
 * operator (and the Salesforce user reading `D365_Sync_Error__c`) can act on. Mappers never throw on
 * bad data; a thrown error from this module is a programming error.
 */

/** Stable rejection codes. Only `PARENT_NOT_SYNCED` is transient (the job waits and retries). */
export const REJECTION_CODES = [
  /** The routing field's value is blank or not in the routing table: no company is guessed. */
  'UNMAPPED_LEGAL_ENTITY',
  /** A field the mapping needs is absent or blank; `field` names it (with namespace, as sent). */
  'MISSING_REQUIRED_FIELD',
  /** A field is present but has the wrong type or shape (e.g. a number where text is expected, a bad date). */
  'INVALID_FIELD',
  /** The record is not of the expected object type (`attributes.type`). */
  'WRONG_OBJECT_TYPE',
  /** Text F&O cannot store: a control character (NUL, C0/C1), a lone surrogate or a noncharacter. */
  'INVALID_TEXT',
  /** A number outside what an F&O decimal field holds (see `FNO_REAL` in decimals.ts). */
  'NUMBER_OUT_OF_RANGE',
  'INVALID_COUNTRY',
  'INVALID_STATE',
  'UNKNOWN_CURRENCY',
  'INVALID_QUANTITY',
  'INVALID_PRICE',
  'INVALID_DISCOUNT',
  /** Quantity × price (the line amount F&O computes) does not fit an F&O amount. */
  'INVALID_AMOUNT',
  'INVALID_DATE',
  /** An Opportunity without products: F&O would get an empty order. */
  'NO_LINE_ITEMS',
  /** More lines than one `$batch` changeset may carry. */
  'TOO_MANY_LINES',
  /** The Opportunity says `IsWon: false`: only won deals become sales orders. */
  'OPPORTUNITY_NOT_WON',
  /** The parent Account has no F&O customer number yet; transient: retry after the account flow ran. */
  'PARENT_NOT_SYNCED',
  /** `customerNumbering.mode = proxyRange` but the caller passed no allocated number (a flow bug). */
  'CUSTOMER_ACCOUNT_NOT_ALLOCATED',
  /** The proxy's customer number range for this company is used up. */
  'NUMBER_RANGE_EXHAUSTED',
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];

export interface Rejection {
  ok: false;
  code: RejectionCode;
  /** One sentence for people: what is wrong and what to change. */
  reason: string;
  /** The Salesforce field (API name as received, e.g. `Account.fobridge__D365_Legal_Entity__c`). */
  field?: string;
  /** True when retrying later may succeed without anyone changing the record. */
  transient: boolean;
}

/** Something mapped, but not exactly as written in Salesforce (a name cut to fit, a unit left to F&O). */
export interface MappingWarning {
  code: 'NAME_TRUNCATED' | 'UNIT_NOT_MAPPED' | 'ORDER_TOTAL_MISMATCH';
  message: string;
  field?: string;
}

export interface Mapped<E, I> {
  ok: true;
  /** The F&O legal entity (dataAreaId, lower case) the entity belongs to. */
  company: string;
  entity: E;
  identity: I;
  warnings: MappingWarning[];
}

export type MapResult<E, I> = Mapped<E, I> | Rejection;

/**
 * A record mapped for `company`: the identity names the Salesforce record (its Id, and its
 * `SystemModstamp` as the version) and the company, plus what the flow needs (`extra`).
 */
export function mappedRecord<E, X extends object>(
  company: string,
  entity: E,
  record: { Id: string; SystemModstamp?: string | null },
  extra: X,
  warnings: MappingWarning[] = [],
): Mapped<E, { salesforceId: string; company: string; version: string | undefined } & X> {
  const identity = {
    salesforceId: record.Id,
    company,
    ...extra,
    version: record.SystemModstamp ?? undefined,
  };
  return { ok: true, company, entity, identity, warnings };
}

const TRANSIENT: ReadonlySet<RejectionCode> = new Set<RejectionCode>(['PARENT_NOT_SYNCED']);

export function reject(code: RejectionCode, reason: string, field?: string): Rejection {
  return field === undefined
    ? { ok: false, code, reason, transient: TRANSIENT.has(code) }
    : { ok: false, code, reason, field, transient: TRANSIENT.has(code) };
}

/** Tells a rejection from a value (a parsed record is never `{ ok: false, code, reason }`). */
export function isRejection(value: unknown): value is Rejection {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { ok?: unknown; code?: unknown; reason?: unknown };
  return v.ok === false && typeof v.code === 'string' && typeof v.reason === 'string';
}
