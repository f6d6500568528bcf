import { apiName } from '../../mapping/index.js';
import type { SyncFlowDeps } from './flow.js';

/**
 * The record with its parent's customer number filled in from Salesforce when the payload lacks
 * it (see `parentCustomerNumber`); the record unchanged when there is nothing newer to know.
 */
export async function withCurrentParent<R extends Record<string, unknown>>(
  record: R,
  deps: SyncFlowDeps,
): Promise<R> {
  const accountId = typeof record.AccountId === 'string' ? record.AccountId : undefined;
  if (!accountId || !deps.parentCustomerNumber) return record;
  const field = apiName('D365_Customer_Number__c', deps.namespace);
  const parent = (record.Account ?? {}) as Record<string, unknown>;
  if (typeof parent[field] === 'string' && String(parent[field]).trim() !== '') return record;
  const number = await deps.parentCustomerNumber(accountId);
  return number ? { ...record, Account: { ...parent, [field]: number } } : record;
}
