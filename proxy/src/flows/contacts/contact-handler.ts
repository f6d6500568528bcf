/**
 * Flow 2: Contact → F&O contact person (`ContactPersons`), then the contact person id written
 * back to `Contact.D365_Contact_Person_Id__c`.
 *
 * A contact person hangs off its customer's party: the parent customer comes from the nested
 * `Account.D365_Customer_Number__c` (missing → `PARENT_NOT_SYNCED`, transient: the job waits for
 * the Account flow and is dead-lettered after JOB_MAX_ATTEMPTS), its `PartyNumber` is read from
 * `CustomersV3`. F&O has no field for the Salesforce Id on a contact person, so "create once" is:
 * the id F&O assigned is kept in the ledger per Contact; before a create, the mapping's natural
 * key (last name, first name, e-mail under that party) is looked up; an ambiguous POST is
 * followed by look-ups, never by a second POST. A Contact that has its id already is a PATCH.
 */
import { and, createOnce, eq, type Filter } from '../../d365/index.js';
import type { JobHandler } from '../../jobs/index.js';
import { apiName, mapContactToContactPerson, mapContactUpdate } from '../../mapping/index.js';
import { MappingRejectedError, SyncProblem } from '../write-back/failure.js';
import {
  runSyncJob,
  upstreams,
  withCurrentParent,
  type SyncFlowDeps,
  type SyncRun,
} from '../write-back/sync-job.js';

const ENTITY = 'ContactPersons';
const LEDGER = 'contact-person';
type Row = Record<string, unknown>;

export function createContactHandler(deps: SyncFlowDeps): JobHandler<Row> {
  const spec = { object: 'Contact', what: 'contact person', keyField: 'D365_Contact_Person_Id__c' } as const;
  return (job, ctx) =>
    runSyncJob(spec, job, ctx, deps, async (trace) => {
      const { d365, cfg } = upstreams(deps);
      return syncContact(job.payload, job.key, { d365, cfg, deps, ctx, trace });
    });
}

type Run = SyncRun;

async function syncContact(sent: Row, contactId: string, run: Run): Promise<string> {
  const { d365, cfg, deps, ctx, trace } = run;
  let record = sent;
  const ns = { namespace: deps.namespace };
  const call = { lane: 'sync' as const, signal: ctx.signal };

  // Parent first: no customer number → PARENT_NOT_SYNCED (transient).
  let first = mapContactToContactPerson(record, cfg, ns);
  if (!first.ok && first.code === 'PARENT_NOT_SYNCED') {
    record = await withCurrentParent(record, deps);
    first = mapContactToContactPerson(record, cfg, ns);
  }
  if (!first.ok) throw new MappingRejectedError(first);
  const company = first.company;
  trace.company = company;
  const ledgerKey = `${company}:${contactId}`;

  const patch = async (contactPersonId: string) => {
    const update = mapContactUpdate(
      { ...record, [apiName('D365_Contact_Person_Id__c', deps.namespace)]: contactPersonId },
      cfg,
      ns,
    );
    if (!update.ok) throw new MappingRejectedError(update);
    trace.key = contactPersonId;
    await d365.odata.update(ENTITY, update.identity.key, update.entity, call);
    return contactPersonId;
  };

  const known = first.identity.contactPersonId ?? (await deps.store.ledgerGet<string>(LEDGER, ledgerKey));
  if (known) {
    trace.outcome = 'updated';
    return patch(known);
  }

  const customerAccount = first.identity.customerAccount;
  const customer = await d365.odata.findByKey<Row>(
    'CustomersV3',
    { dataAreaId: company, CustomerAccount: customerAccount },
    { ...call, select: ['CustomerAccount', 'PartyNumber'] },
  );
  const partyNumber = typeof customer?.PartyNumber === 'string' ? customer.PartyNumber : '';
  if (!partyNumber) {
    throw new SyncProblem(
      'PARENT_NOT_FOUND',
      `The Contact's Account points to customer ${customerAccount}, which F&O company ${company} does not have${customer ? ' (or it has no party)' : ''}: re-sync the Account or correct its D365 Customer Number.`,
      { entity: 'CustomersV3', key: `dataAreaId='${company}',CustomerAccount='${customerAccount}'` },
    );
  }

  const mapped = mapContactToContactPerson(record, cfg, { ...ns, customerPartyNumber: partyNumber });
  if (!mapped.ok) throw new MappingRejectedError(mapped);
  const filters: Filter[] = Object.entries(mapped.identity.lookup.fields).map(([f, v]) => eq(f, v));
  const find = async () =>
    (
      await d365.odata
        .query<Row>(ENTITY, {
          ...call,
          company,
          filter: and(...filters),
          select: ['ContactPersonId'],
          top: 1,
        })
        .all()
    )[0];
  const r = await createOnce({
    find,
    create: () => d365.odata.create<Row>(ENTITY, mapped.entity, call),
    mayExist: true,
    signal: ctx.signal,
  });
  const id = String(r.row.ContactPersonId ?? '');
  if (!id) throw new Error('F&O created the contact person but returned no ContactPersonId');
  await deps.store.ledgerPut(LEDGER, ledgerKey, id);
  trace.key = id;
  trace.outcome = r.outcome;
  // Found by its natural key: it predates this sync (or an earlier attempt); bring it up to date.
  if (r.outcome === 'found') return patch(id);
  return id;
}
