/**
 * Which F&O legal entity a record belongs to. One rule for all three flows: the Account decides (its
 * customer lives in exactly one company, and that customer's contacts and orders must go to the same
 * one). An Account is read directly; a Contact or Opportunity through its nested `Account`. A blank or
 * unmapped value is a rejection, never a fallback to some default company (a customer in the wrong legal entity is worse than none).
 */
import { normaliseRoutingValue, type BridgeConfig } from './bridge-config.js';
import { apiPath, readText, valueAt, type ReadOptions } from './records.js';
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
