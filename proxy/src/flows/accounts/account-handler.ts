/**
 * Flow 1: Account → F&O customer (`CustomersV3`), then the customer account written back to
 * `Account.D365_Customer_Number__c`.
 *
 * Create once, and change only what is provably ours:
 *  - every customer the proxy creates carries the Account Id in the correlation field
 *    (`customer.correlationField`, default `KnownAs`); before any PATCH the F&O record is read and
 *    must carry it. The proxy's own memory (ledger, the number in Salesforce) only says where to
 *    look; the value in F&O is the proof;
 *  - `proxyRange` numbering: the customer account is allocated once per Account and company and
 *    kept in the ledger, so every attempt targets the same key. A later attempt looks it up first
 *    (ours → PATCH, the update path). A number that exists in F&O but is not ours is a collision:
 *    logged, counted, and the next number of the range is taken; that customer is never touched.
 *    An ambiguous POST (timeout, reset) is followed by look-ups, never by a second POST;
 *  - `fnoSequence`: F&O assigns the number; the Account Id in the correlation field is looked up
 *    before every create.
 * An Account that already has its customer number is a PATCH (`customerChanges`) of that customer
 * if it is ours, else `D365_RECORD_NOT_OWNED` (permanent, nothing written); never a second customer.
 */
import { D365ValidationError, createOnce, eq } from '../../d365/index.js';
import {
  apiName,
  customerAccountFromSequence,
  customerChanges,
  customerCorrelationField,
  customerWithAccount,
  isRejection,
  newCustomer,
  numberingFor,
  type AccountToSync,
} from '../../mapping/index.js';
import { collisions } from '../numbering/collisions.js';
import { numberFor } from '../numbering/ledger-number.js';
import { notOwned, provesOwnership } from '../numbering/ownership.js';
import { MappingRejectedError } from '../sync/failure.js';
import type { SyncRun } from '../sync/flow.js';

const ENTITY = 'CustomersV3';
type Row = Record<string, unknown>;

/** Flow 1's handler: the Account read once (parsed, routed), in; the customer account, out. */
export async function syncAccount(account: AccountToSync, run: SyncRun): Promise<string> {
  const { d365, cfg, deps, ctx, trace, salesforceId: accountId } = run;
  const ns = { namespace: deps.namespace };
  const call = { lane: 'sync' as const, signal: ctx.signal };
  const { company } = account;
  const record: Row = account.account;

  // The PATCH of a customer that is ours: only what Salesforce owns.
  const patch = async (customerAccount: string) => {
    const changes = customerChanges(account, cfg, ns);
    if (isRejection(changes)) throw new MappingRejectedError(changes);
    trace.key = customerAccount;
    await d365.odata.update(ENTITY, { dataAreaId: company, CustomerAccount: customerAccount }, changes, call);
    return customerAccount;
  };

  // Proof of ownership: the Account Id the proxy wrote into the correlation field at create time.
  const correlation = customerCorrelationField(cfg, company);
  const owned = (row: Row) => provesOwnership(row[correlation], accountId);
  const findCustomer = (customerAccount: string) =>
    d365.odata.findByKey<Row>(
      ENTITY,
      { dataAreaId: company, CustomerAccount: customerAccount },
      { ...call, select: ['CustomerAccount', correlation] },
    );

  const findByCorrelation = async () =>
    (
      await d365.odata
        .query<Row>(ENTITY, {
          ...call,
          company,
          filter: eq(correlation, accountId),
          select: ['CustomerAccount', correlation],
          top: 1,
        })
        .all()
    )[0];

  const numberField = apiName('D365_Customer_Number__c', deps.namespace);
  const existing = textField(record, numberField);
  if (existing) {
    trace.key = existing;
    const row = await findCustomer(existing);
    if (row && !owned(row)) {
      throw notOwned({
        what: 'customer',
        entity: ENTITY,
        key: existing,
        company,
        salesforceId: accountId,
        field: correlation,
        found: row[correlation],
        salesforceField: numberField,
      });
    }
    // Not in F&O at all: the PATCH fails with D365_NOT_FOUND, as an update of a deleted customer should.
    trace.outcome = 'updated';
    return patch(existing);
  }
  // Check the whole record before a number is spent on it.
  const customer = newCustomer(account, cfg, ns);
  if (!customer.ok) throw new MappingRejectedError(customer);

  const numbering = numberingFor(cfg, company);
  if (numbering.mode === 'proxyRange') {
    const ledger = {
      ledger: 'customer-number',
      key: `${company}:${accountId}`,
      sequence: `customer:${company}`,
      start: numbering.start,
      end: numbering.end,
      format: (n: number) => {
        const r = customerAccountFromSequence(n, cfg, company);
        if (!r.ok) throw new MappingRejectedError(r);
        return r.customerAccount;
      },
    };
    let number = await numberFor(deps.store, ledger);
    // The number is someone else's in F&O: never touch that customer, take the next number.
    const collision = collisions({
      ctx,
      deps,
      ledger,
      entity: ENTITY,
      company,
      salesforceId: accountId,
      correlationField: correlation,
      what: 'customer',
      holds: 'customer account',
      keyName: 'customerAccount',
    });
    const collide = async (row: Row) => {
      number = await collision(row, number.value);
    };
    let searched = false;
    for (;;) {
      const customerAccount = number.value;
      trace.key = customerAccount;
      if (!number.fresh) {
        const row = await findCustomer(customerAccount);
        if (row && owned(row)) {
          // An earlier attempt created it (or an older version of this record did): update instead.
          trace.outcome = 'found';
          return patch(customerAccount);
        }
        if (row) {
          await collide(row);
          continue;
        }
      }
      if (!searched) {
        // The proxy's memory may be gone (fresh or restored store): F&O may still hold this
        // Account's customer under another number. Then that one is updated, never a second created.
        searched = true;
        const mine = await findByCorrelation();
        const known = mine && textField(mine, 'CustomerAccount');
        if (known) {
          await deps.store.ledgerPut(ledger.ledger, ledger.key, known, { overwrite: true });
          trace.key = known;
          trace.outcome = 'found';
          return patch(known);
        }
      }
      const mapped = customerWithAccount(customer, cfg, customerAccount);
      if (!mapped.ok) throw new MappingRejectedError(mapped);
      let r: Awaited<ReturnType<typeof createOnce<Row>>>;
      try {
        r = await createOnce<Row>({
          find: () => findCustomer(customerAccount),
          create: () => d365.odata.create<Row>(ENTITY, mapped.entity, call),
          signal: ctx.signal,
        });
      } catch (err) {
        if (!(err instanceof D365ValidationError)) throw err;
        // Refused: "the record already exists" for another record's customer is a collision.
        const row = await findCustomer(customerAccount);
        if (!row) throw err;
        if (owned(row)) {
          trace.outcome = 'found';
          return patch(customerAccount);
        }
        await collide(row);
        continue;
      }
      if (r.outcome === 'recovered' && !owned(r.row)) {
        // An ambiguous POST "recovered" a customer that is not ours: ours was never created.
        await collide(r.row);
        continue;
      }
      trace.outcome = r.outcome;
      return customerAccount;
    }
  }

  // fnoSequence: F&O numbers it; the Account Id in the correlation field finds it again.
  const r = await createOnce({
    find: findByCorrelation,
    create: () => d365.odata.create<Row>(ENTITY, customer.entity, call),
    mayExist: true,
    signal: ctx.signal,
  });
  const number = String(r.row.CustomerAccount ?? '');
  if (!number) throw new Error('F&O created the customer but returned no CustomerAccount');
  trace.outcome = r.outcome;
  if (r.outcome === 'found') return patch(number);
  return number;
}

function textField(record: Row, field: string): string | undefined {
  const v = record[field];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}
