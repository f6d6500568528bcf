/**
 * Flow 1: Account → F&O customer (`CustomersV3`), then the customer account written back to
 * `Account.D365_Customer_Number__c`.
 *
 * Create once (docs/flows.md, "Create-once guarantees"):
 *  - `proxyRange` numbering: the customer account is allocated once per Account and company and
 *    kept in the ledger, so every attempt targets the same key. A later attempt looks it up by key
 *    first (exists → PATCH, the update path); the first attempt with a freshly allocated number
 *    has nothing to look up. An ambiguous POST (timeout, reset) is followed by look-ups, never by
 *    a second POST.
 *  - `fnoSequence`: F&O assigns the number; the Account Id goes into the configured correlation
 *    field and is looked up before every create.
 * An Account that already has its customer number is a PATCH (`mapAccountUpdate`), never a
 * second customer.
 */
import { createOnce, eq } from '../../d365/index.js';
import type { JobHandler } from '../../jobs/index.js';
import {
  apiName,
  customerAccountFromSequence,
  isRejection,
  mapAccountToCustomer,
  mapAccountUpdate,
  numberingFor,
  routeLegalEntity,
} from '../../mapping/index.js';
import { numberFor } from '../numbering/ledger-number.js';
import { MappingRejectedError } from '../write-back/failure.js';
import { runSyncJob, upstreams, type SyncFlowDeps, type SyncRun } from '../write-back/sync-job.js';

const ENTITY = 'CustomersV3';
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

  const existing = textField(record, apiName('D365_Customer_Number__c', deps.namespace));
  if (existing) {
    trace.outcome = 'updated';
    return patch(existing, record);
  }
  // Check the whole record before a number is spent on it.
  const probe = mapAccountToCustomer(record, cfg, { ...ns, customerAccount: 'PROBE' });
  if (!probe.ok) throw new MappingRejectedError(probe);

  const numbering = numberingFor(cfg, company);
  if (numbering.mode === 'proxyRange') {
    const number = await numberFor(deps.store, {
      ledger: 'customer-number',
      key: `${company}:${accountId}`,
      sequence: `customer:${company}`,
      start: numbering.start,
      end: numbering.end,
      format: (n) => {
        const r = customerAccountFromSequence(n, cfg, company);
        if (!r.ok) throw new MappingRejectedError(r);
        return r.customerAccount;
      },
    });
    trace.key = number.value;
    const key = { dataAreaId: company, CustomerAccount: number.value };
    const find = () => d365.odata.findByKey(ENTITY, key, { ...call, select: ['CustomerAccount'] });
    if (!number.fresh && (await find())) {
      // An earlier attempt created it (or an older version of this record did): update instead.
      trace.outcome = 'found';
      return patch(number.value, withNumber(number.value));
    }
    const mapped = mapAccountToCustomer(record, cfg, { ...ns, customerAccount: number.value });
    if (!mapped.ok) throw new MappingRejectedError(mapped);
    const r = await createOnce({
      find,
      create: () => d365.odata.create(ENTITY, mapped.entity, call),
      signal: ctx.signal,
    });
    trace.outcome = r.outcome;
    return number.value;
  }

  // fnoSequence: F&O numbers it; the Account Id in the correlation field finds it again.
  const mapped = mapAccountToCustomer(record, cfg, ns);
  if (!mapped.ok) throw new MappingRejectedError(mapped);
  const lookup = mapped.identity.lookup;
  if (lookup.by !== 'correlation') throw new Error('fnoSequence numbering without a correlation look-up');
  const find = async () => {
    const rows = await d365.odata
      .query<Row>(ENTITY, {
        ...call,
        company,
        filter: eq(lookup.field, lookup.value),
        select: ['CustomerAccount'],
        top: 1,
      })
      .all();
    return rows[0];
  };
  const r = await createOnce({
    find,
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
