/**
 * Every Salesforce field the sync flows read or write, per object: what the integration user's
 * field-level security must allow. A field it cannot see is silently left out of query results
 * and describe, so a flow loses data without an error; this list is what `doctor` checks.
 *
 * Read side: what each registry entry selects (the same fields the package's callout sends).
 * Write side: the write-back of the sync job (the flow's F&O key field plus the status fields).
 */
import { SALESFORCE_TO_FNO } from '../sync/registry.js';
import { selectedFields } from '../sync/flow.js';
import { SYNC_STATUS_FIELDS } from '../sync/job-frame.js';

export interface FieldUse {
  /** Package API name of the object (`Account`, `OpportunityLineItem`). */
  object: string;
  /** Package field names the flows read. */
  read: string[];
  /** Package field names the flows write (each must also be readable). */
  write: string[];
}

/** Relationship and child-relationship names used in the selects → the object they reach. */
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
  for (const flow of SALESFORCE_TO_FNO) {
    for (const f of selectedFields(flow.select)) readField(flow.sobject, f);
    for (const child of flow.select.children) {
      const object = RELATED[child.relationship] ?? child.relationship;
      for (const f of child.fields) readField(object, f);
    }
    for (const f of [flow.keyField, ...SYNC_STATUS_FIELDS]) use(flow.sobject).write.add(f);
  }
  return [...uses.entries()].map(([object, u]) => ({
    object,
    read: [...new Set([...u.read, ...u.write])],
    write: [...u.write],
  }));
}
