/**
 * Every Salesforce field the sync flows read or write, per object: what the integration user's
 * field-level security must allow. A field it cannot see is silently left out of query results
 * and describe, so a flow loses data without an error; this list is what `doctor` checks.
 *
 * Read side: the sweep's queries (the same fields the package's callout sends). Write side: the
 * write-back of the sync job (the F&O key plus the three status fields). One function, so it can
 * be pointed at a flow registry that declares both.
 */
import { SWEEP_QUERIES } from '../sweep/pending-sweep.js';
import { SYNC_STATUS_FIELDS } from '../write-back/sync-job.js';

export interface FieldUse {
  /** Package API name of the object (`Account`, `OpportunityLineItem`). */
  object: string;
  /** Package field names the flows read. */
  read: string[];
  /** Package field names the flows write (each must also be readable). */
  write: string[];
}

/** The field each sync flow writes its F&O key into (see the flows' handlers). */
const KEY_FIELDS: Record<string, string> = {
  Account: 'D365_Customer_Number__c',
  Contact: 'D365_Contact_Person_Id__c',
  Opportunity: 'D365_Sales_Order_Number__c',
};

/** Relationship and child-relationship names used in the sweep's SOQL → the object they reach. */
const RELATED: Record<string, string> = {
  Account: 'Account',
  Product2: 'Product2',
  OpportunityLineItems: 'OpportunityLineItem',
};

export function flowFieldUse(): FieldUse[] {
  const uses = new Map<string, { read: Set<string>; write: Set<string> }>();
  const use = (object: string) => {
    let u = uses.get(object);
    if (!u) uses.set(object, (u = { read: new Set(), write: new Set() }));
    return u;
  };
  const readField = (object: string, path: string) => {
    const [head, ...rest] = path.split('.');
    if (rest.length === 0) use(object).read.add(head!);
    else readField(RELATED[head!] ?? head!, rest.join('.'));
  };
  for (const q of SWEEP_QUERIES) {
    for (const f of q.fields) {
      const sub = /^\(SELECT (.+) FROM (\w+)/i.exec(f);
      if (sub) {
        const child = RELATED[sub[2]!] ?? sub[2]!;
        for (const field of sub[1]!.split(',')) readField(child, field.trim());
      } else readField(q.sobject, f);
    }
  }
  for (const [object, keyField] of Object.entries(KEY_FIELDS)) {
    for (const f of [keyField, ...SYNC_STATUS_FIELDS]) use(object).write.add(f);
  }
  return [...uses.entries()].map(([object, u]) => ({
    object,
    read: [...new Set([...u.read, ...u.write])],
    write: [...u.write],
  }));
}
