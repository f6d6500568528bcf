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
 * An Account that already has its customer number is a PATCH (`mapAccountUpdate`) of that customer
 * if it is ours, else `D365_RECORD_NOT_OWNED` (permanent, nothing written); never a second customer.
 */
import { D365ValidationError, createOnce, eq } from '../../d365/index.js';
import type { JobHandler } from '../../jobs/index.js';
import {
  apiName,
  customerAccountFromSequence,
  customerCorrelationField,
  isRejection,
  mapAccountToCustomer,
  mapAccountUpdate,
  numberingFor,
  routeLegalEntity,
} from '../../mapping/index.js';
import { numberFor, replaceNumber } from '../numbering/ledger-number.js';
import { notOwned, provesOwnership } from '../numbering/ownership.js';
import { MappingRejectedError, SyncProblem } from '../write-back/failure.js';
import { runSyncJob, upstreams, type SyncFlowDeps, type SyncRun } from '../write-back/sync-job.js';

const ENTITY = 'CustomersV3';
/** Collisions resolved within one attempt; past it the job backs off (the counter keeps its progress). */
const MAX_COLLISIONS_PER_ATTEMPT = 20;
type Row = Record<string, unknown>;

export function createAccountHandler(deps: SyncFlowDeps): JobHandler<Row> {
  const spec = { object: 'Account', what: 'customer', keyField: 'D365_Customer_Number__c' } as const;
  return (job, ctx) =>
    runSyncJob(spec, job, ctx, deps, async (trace) => {
      const { d365, cfg } = upstreams(deps);
      return syncAccount(job.payload, job.key, { d365, cfg, deps, ctx, trace });
    });
}

type Run = SyncRun;

async function syncAccount(record: Row, accountId: string, run: Run): Promise<string> {
  const { d365, cfg, deps, ctx, trace } = run;
  const ns = { namespace: deps.namespace };
  const call = { lane: 'sync' as const, signal: ctx.signal };
  const route = routeLegalEntity(record, cfg, ns);
  if (isRejection(route)) throw new MappingRejectedError(route);
  const company = route.company;
  trace.company = company;

  const withNumber = (n: string): Row => ({
    ...record,
    [apiName('D365_Customer_Number__c', deps.namespace)]: n,
  });
  const patch = async (customerAccount: string, source: Row) => {
    const update = mapAccountUpdate(source, cfg, ns);
    if (!update.ok) throw new MappingRejectedError(update);
    trace.key = customerAccount;
    await d365.odata.update(ENTITY, update.identity.key, update.entity, call);
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
    return patch(existing, record);
  }
  // Check the whole record before a number is spent on it.
  const probe = mapAccountToCustomer(record, cfg, { ...ns, customerAccount: 'PROBE' });
  if (!probe.ok) throw new MappingRejectedError(probe);

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
    let collisions = 0;
    // The number is someone else's in F&O: never touch that customer, take the next number.
    const collide = async (row: Row) => {
      collisions += 1;
      ctx.log.warn(
        {
          company,
          customerAccount: number.value,
          salesforceId: accountId,
          correlationField: correlation,
          ownedBy: textField(row, correlation) ?? null,
        },
        'customer number collision: F&O already has this customer account for another record; taking the next number',
      );
      deps.ownership?.collision(ENTITY, company);
      if (collisions >= MAX_COLLISIONS_PER_ATTEMPT) {
        throw new SyncProblem(
          'NUMBER_COLLISION',
          `${collisions} customer numbers in a row up to ${number.value} already exist in F&O ${company} for other records; the job continues from the next number on its next attempt. Reserve the proxy's range in F&O (docs/flows.md "Numbering ranges").`,
          { entity: ENTITY, company, customerAccount: number.value },
          { transient: true, retryAfterMs: 5_000 },
        );
      }
      number = await replaceNumber(deps.store, ledger, number.value);
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
          return patch(customerAccount, withNumber(customerAccount));
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
          return patch(known, withNumber(known));
        }
      }
      const mapped = mapAccountToCustomer(record, cfg, { ...ns, customerAccount });
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
          return patch(customerAccount, withNumber(customerAccount));
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
  const mapped = mapAccountToCustomer(record, cfg, ns);
  if (!mapped.ok) throw new MappingRejectedError(mapped);
  const lookup = mapped.identity.lookup;
  if (lookup.by !== 'correlation') throw new Error('fnoSequence numbering without a correlation look-up');
  const r = await createOnce({
    find: findByCorrelation,
    create: () => d365.odata.create<Row>(ENTITY, mapped.entity, call),
    mayExist: true,
    signal: ctx.signal,
  });
  const number = String(r.row.CustomerAccount ?? '');
  if (!number) throw new Error('F&O created the customer but returned no CustomerAccount');
  trace.outcome = r.outcome;
  if (r.outcome === 'found') return patch(number, withNumber(number));
  return number;
}

function textField(record: Row, field: string): string | undefined {
  const v = record[field];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}
