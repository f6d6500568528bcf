/**
 * Flow 2: Contact → F&O contact person (`ContactPersons`), then the contact person id written
 * back to `Contact.D365_Contact_Person_Id__c`.
 *
 * A contact person hangs off its customer's party: the parent customer comes from the nested
 * `Account.D365_Customer_Number__c` (missing → `PARENT_NOT_SYNCED`, transient: the job waits for
 * the Account flow and is dead-lettered after JOB_MAX_ATTEMPTS), its `PartyNumber` is read from
 * `CustomersV3`. Create once, and change only what is provably ours: the Contact Id goes into the
 * correlation field (`contact.correlationField`, default `KnownAsName`) and is looked up before a
 * create; an ambiguous POST is followed by look-ups, never by a second POST. Before any PATCH the
 * contact person is read and must carry the Contact Id: an id from Salesforce that is not ours is
 * `D365_RECORD_NOT_OWNED` (nothing written); an id from the ledger that is not ours is a collision
 * (logged, counted, the Contact's own contact person is looked up or created instead). The id F&O
 * assigned is kept in the ledger per Contact.
 */
import { and, createOnce, eq, type Filter } from '../../d365/index.js';
import {
  apiName,
  contactChanges,
  contactPersonWithParty,
  isRejection,
  newContactPerson,
  type ContactToSync,
} from '../../mapping/index.js';
import { notOwned, provesOwnership } from '../numbering/ownership.js';
import { withCurrentParent } from '../sync/current-parent.js';
import { MappingRejectedError, SyncProblem } from '../sync/failure.js';
import type { SyncRun } from '../sync/flow.js';

const ENTITY = 'ContactPersons';
const LEDGER = 'contact-person';
type Row = Record<string, unknown>;

/** Flow 2's handler: the Contact read once (parsed, routed), in; the contact person id, out. */
export async function syncContact(read: ContactToSync, run: SyncRun): Promise<string> {
  const { d365, cfg, deps, ctx, trace, salesforceId: contactId } = run;
  let contact = read;
  const ns = { namespace: deps.namespace };
  const call = { lane: 'sync' as const, signal: ctx.signal };

  // Parent first: no customer number → PARENT_NOT_SYNCED (transient).
  let first = newContactPerson(contact, cfg, ns);
  if (!first.ok && first.code === 'PARENT_NOT_SYNCED') {
    contact = { ...contact, contact: await withCurrentParent(contact.contact, deps) };
    first = newContactPerson(contact, cfg, ns);
  }
  if (!first.ok) throw new MappingRejectedError(first);
  const company = first.company;
  const ledgerKey = `${company}:${contactId}`;

  // The PATCH of a contact person that is ours: only what Salesforce owns.
  const patch = async (contactPersonId: string) => {
    const changes = contactChanges(contact, cfg, ns);
    if (isRejection(changes)) throw new MappingRejectedError(changes);
    trace.key = contactPersonId;
    await d365.odata.update(ENTITY, { dataAreaId: company, ContactPersonId: contactPersonId }, changes, call);
    return contactPersonId;
  };

  // Proof of ownership: the Contact Id the proxy wrote into the correlation field at create time.
  const correlation = cfg.contact.correlationField;
  const owned = (row: Row) => provesOwnership(row[correlation], contactId);
  const findPerson = (contactPersonId: string) =>
    d365.odata.findByKey<Row>(
      ENTITY,
      { dataAreaId: company, ContactPersonId: contactPersonId },
      { ...call, select: ['ContactPersonId', correlation] },
    );

  const idField = apiName('D365_Contact_Person_Id__c', deps.namespace);
  const fromSalesforce = first.identity.contactPersonId;
  if (fromSalesforce) {
    trace.key = fromSalesforce;
    const row = await findPerson(fromSalesforce);
    if (row && !owned(row)) {
      throw notOwned({
        what: 'contact person',
        entity: ENTITY,
        key: fromSalesforce,
        company,
        salesforceId: contactId,
        field: correlation,
        found: row[correlation],
        salesforceField: idField,
      });
    }
    trace.outcome = 'updated';
    return patch(fromSalesforce);
  }
  const fromLedger = await deps.store.ledgerGet<string>(LEDGER, ledgerKey);
  if (fromLedger) {
    const row = await findPerson(fromLedger);
    if (!row || owned(row)) {
      // Not in F&O at all: the PATCH fails with D365_NOT_FOUND, as an update of a deleted one should.
      trace.outcome = 'updated';
      return patch(fromLedger);
    }
    // The ledger is wrong (a restored store, another proxy's id): never touch that contact person.
    ctx.log.warn(
      {
        company,
        contactPersonId: fromLedger,
        salesforceId: contactId,
        correlationField: correlation,
        ownedBy: typeof row[correlation] === 'string' ? row[correlation] : null,
      },
      "contact person id collision: the ledger names a contact person that is not this Contact's; looking it up by its Id instead",
    );
    deps.ownership?.collision(ENTITY, company);
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

  const mapped = contactPersonWithParty(first, partyNumber);
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
  await deps.store.ledgerPut(LEDGER, ledgerKey, id, { overwrite: true });
  trace.key = id;
  trace.outcome = r.outcome;
  // Found by its Contact Id: an earlier attempt (or an older store) created it; bring it up to date.
  if (r.outcome === 'found') return patch(id);
  return id;
}
