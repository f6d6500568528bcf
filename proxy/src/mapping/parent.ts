/**
 * The parent Account's F&O customer (`Account.D365_Customer_Number__c`) of a Contact or an
 * Opportunity. None yet is `PARENT_NOT_SYNCED`, transient: the job waits for the Account flow.
 */
import { readText, valueAt, type ReadOptions } from './records.js';
import { isRejection, reject, type Rejection } from './result.js';

export function parentCustomerAccount(
  record: unknown,
  opts: ReadOptions & {
    /** `Contact`, `Opportunity`: for the reason. */
    objectType: string;
    /** What is retried, for the reason: `it`, `the order`. */
    retried: string;
  },
): { value: string; field: string } | Rejection {
  const customer = readText(valueAt(record, ['Account']), 'D365_Customer_Number__c', {
    namespace: opts.namespace,
    label: 'Account',
  });
  if (isRejection(customer)) return customer;
  if (!customer.value) {
    return reject(
      'PARENT_NOT_SYNCED',
      `The ${opts.objectType}'s Account is not in F&O yet (${customer.field} is empty); ${opts.retried} is retried after the Account has been synced.`,
      customer.field,
    );
  }
  return { value: customer.value, field: customer.field };
}
