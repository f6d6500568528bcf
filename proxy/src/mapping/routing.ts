/**
 * Which F&O legal entity a record belongs to. One rule for all three flows: the Account decides (its
 * customer lives in exactly one company, and that customer's contacts and orders must go to the same
 * one). An Account is read directly; a Contact or Opportunity through its nested `Account`. A blank or
 * unmapped value is a rejection, never a fallback to some default company (a customer in the wrong legal entity is worse than none).
 */
import type { z } from 'zod';
import { normaliseRoutingValue, type BridgeConfig, type CompanyConfig } from './bridge-config.js';
import { apiPath, parseRecord, readText, valueAt, type ReadOptions } from './records.js';
import { isRejection, reject, type Rejection } from './result.js';

export interface Route {
  ok: true;
  /** dataAreaId, lower case. */
  company: string;
  /** The Salesforce value that decided it (as sent, trimmed). */
  value: string;
  /** The field it was read from, as sent (`Account.fobridge__D365_Legal_Entity__c`). */
  field: string;
}

/** True when the record is not an Account and so is routed through its parent `Account` object. */
function isChildRecord(record: unknown): boolean {
  const type = valueAt(record, ['attributes', 'type']);
  if (type === 'Account') return false;
  if (typeof type === 'string') return true;
  // No attributes: a record with a nested Account object is a child.
  const account = valueAt(record, ['Account']);
  return typeof account === 'object' && account !== null;
}

export function routeLegalEntity(
  record: unknown,
  cfg: BridgeConfig,
  opts: ReadOptions = {},
): Route | Rejection {
  const child = isChildRecord(record);
  const source = cfg.routing.source;
  if (child && valueAt(record, ['Account']) === undefined) {
    const field = valueAt(record, ['AccountId']) === undefined ? 'AccountId' : 'Account';
    return reject(
      'MISSING_REQUIRED_FIELD',
      `The record has no parent Account (${field} is empty), so there is no customer or company to attach it to.`,
      field,
    );
  }
  const read = readText(child ? valueAt(record, ['Account']) : record, source, {
    namespace: opts.namespace,
    label: child ? 'Account' : undefined,
  });
  if (isRejection(read)) return read;
  const field = read.field;
  if (read.value === undefined) {
    return reject(
      'UNMAPPED_LEGAL_ENTITY',
      `${field} is empty: set the F&O legal entity on the Account; the bridge never guesses a company.`,
      field,
    );
  }
  const key = normaliseRoutingValue(read.value);
  const mapped =
    cfg.routing.map[key] ?? (cfg.routing.acceptCompanyIds && cfg.companies[key] ? key : undefined);
  if (!mapped) {
    const known = Object.keys(cfg.companies).join(', ');
    return reject(
      'UNMAPPED_LEGAL_ENTITY',
      `${field} is "${read.value}", which the bridge config does not route to any F&O legal entity (configured: ${known}).`,
      field,
    );
  }
  return { ok: true, company: mapped, value: read.value, field };
}

/** The routing source as sent for a given namespace, for messages and docs (`fobridge__D365_Legal_Entity__c`). */
export function routingSourceField(cfg: BridgeConfig, opts: ReadOptions = {}): string {
  return apiPath(cfg.routing.source, opts.namespace).join('.');
}

/** A record parsed and routed: what each flow's read step starts from. */
export interface Routed<R> {
  record: R;
  company: string;
  companyCfg: CompanyConfig;
}

/**
 * Parses `input` with `schema` (`parseRecord`), lets `check` refuse or adjust the record, then
 * routes it to its company.
 */
export function parseAndRoute<T extends z.ZodType>(
  schema: T,
  objectType: string,
  input: unknown,
  cfg: BridgeConfig,
  opts: ReadOptions,
  check: (record: z.infer<T>) => z.infer<T> | Rejection = (record) => record,
): Routed<z.infer<T>> | Rejection {
  const parsed = parseRecord(schema, input, objectType);
  if (isRejection(parsed)) return parsed;
  const record = check(parsed);
  if (isRejection(record)) return record;
  const route = routeLegalEntity(record, cfg, opts);
  if (!route.ok) return route;
  return { record, company: route.company, companyCfg: cfg.companies[route.company]! };
}

/** A whole mapper from its two steps: read the record (parse, route), then map the result. */
export function readThenMap<R, O extends ReadOptions, T>(
  read: (input: unknown, cfg: BridgeConfig, opts: O) => R | Rejection,
  map: (read: R, cfg: BridgeConfig, opts: O) => T | Rejection,
): (input: unknown, cfg: BridgeConfig, opts?: O) => T | Rejection {
  return (input, cfg, opts = {} as O) => {
    const record = read(input, cfg, opts);
    return isRejection(record) ? record : map(record, cfg, opts);
  };
}
