/**
 * F&O → Salesforce pairs (invoices, products): what the flow would write, computed from F&O by
 * the pair's declaration, against the Salesforce records by External ID; repair runs the flow for
 * the company.
 */
import type { FnoToSalesforceFlow } from '../sync/flow.js';
import { differences, hashValues, normaliseAll, pick } from './compare.js';
import { none, soql, type Run } from './context.js';
import type { ExpectedRecord } from './declaration.js';

export async function fnoToSalesforce(flow: FnoToSalesforceFlow, run: Run): Promise<void> {
  const { deps, pairs } = run;
  const declaration = flow.reconcile;
  if (!declaration || declaration.pairs.length === 0) {
    run.notes.push(
      `${flow.flow}: not compared: ${declaration?.note ?? 'the flow declares no reconciliation'}`,
    );
    return;
  }
  const since = new Date(deps.clock() - deps.config.RECONCILE_WINDOW_DAYS * 86_400_000)
    .toISOString()
    .slice(0, 10);
  // Per company: the earliest day to sweep again, when something is missing or different.
  const repairs = new Map<string, { since: string | undefined }>();
  const shared = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    if (!shared.has(key)) shared.set(key, read());
    return shared.get(key) as Promise<T>;
  };
  for (const spec of declaration.pairs) {
    // Per company: a Product2 is expected once in each company that releases the item.
    const expected: Array<{ company: string; record: ExpectedRecord }> = [];
    for (const company of run.companies) {
      const records = await spec.expected({
        d365: deps.d365,
        cfg: deps.cfg,
        config: deps.config,
        company,
        since,
        clock: deps.clock,
        ...(deps.signal ? { signal: deps.signal } : {}),
        countRequest: () => {
          run.requests.fno += 1;
        },
        once,
      });
      pairs.get(flow.flow, spec.pair, 'fnoToSalesforce', company).counts.fno = records.length;
      for (const record of records) expected.push({ company, record });
    }
    const fields = [...new Set(expected.flatMap((e) => Object.keys(e.record.values)))].filter(
      (f) => f !== spec.salesforce.externalId && f !== 'Id',
    );
    const extra = (spec.salesforce.fields ?? []).filter((f) => !fields.includes(f));
    const cond = spec.salesforce.where(since);
    const held = await soql(
      run,
      `SELECT ${['Id', spec.salesforce.externalId, ...fields, ...extra].join(', ')} FROM ${spec.salesforce.sobject} ` +
        `WHERE ${spec.salesforce.externalId} != null${cond ? ` AND ${cond}` : ''}`,
    );
    const byKey = new Map(held.map((r) => [String(r[spec.salesforce.externalId]), r]));

    const planRepair = (company: string, day: string | undefined) => {
      const r = repairs.get(company) ?? { since: day };
      if (day && (!r.since || day < r.since)) r.since = day;
      repairs.set(company, r);
      return {
        action: 'runFlow' as const,
        why: `the ${flow.flow} flow runs for ${company}${day ? ` from ${day}` : ''} (upserts by ${spec.salesforce.externalId})`,
        applied: run.apply,
      };
    };
    for (const { company, record } of expected) {
      const key = record.key;
      const p = pairs.get(flow.flow, spec.pair, 'fnoToSalesforce', company);
      const have = byKey.get(key);
      if (!have) {
        pairs.add(p, {
          kind: 'missingInSalesforce',
          fnoKey: key,
          company,
          detail: `F&O has ${key}; Salesforce has no ${spec.salesforce.sobject} with ${spec.salesforce.externalId} = ${key}`,
          repair: planRepair(company, record.day),
        });
        continue;
      }
      p.counts.salesforce += 1;
      const says = spec.companyOf(have);
      if (says !== undefined && says !== company) {
        pairs.add(p, {
          kind: 'wrongCompany',
          salesforceId: String(have.Id),
          fnoKey: key,
          company: says,
          fnoCompany: company,
          detail: `F&O posted ${key} in ${company}; the Salesforce record says ${says}`,
          repair: none('never moved between companies: correct the record in Salesforce'),
        });
        continue;
      }
      p.counts.matched += 1;
      const ours = normaliseAll(record.values);
      const theirs = pick(have, Object.keys(ours));
      const diff = differences(ours, theirs).map((d) => ({
        field: d.field,
        salesforce: d.fno,
        fno: d.salesforce,
      }));
      if (diff.length === 0) continue;
      pairs.add(p, {
        kind: 'different',
        salesforceId: String(have.Id),
        fnoKey: key,
        company,
        hash: { salesforce: hashValues(theirs), fno: hashValues(ours) },
        fields: diff,
        detail: `${diff.length} mapped field(s) differ`,
        repair: planRepair(company, record.day),
      });
    }
    // In Salesforce (within the window) but not in F&O.
    const expectedKeys = new Set(expected.map((e) => e.record.key));
    for (const [key, have] of byKey) {
      if (expectedKeys.has(key)) continue;
      const says = spec.companyOf(have);
      if (says !== undefined && !run.companies.includes(says)) continue;
      if (says === undefined && run.opts.companies?.length) continue;
      const p = pairs.get(flow.flow, spec.pair, 'fnoToSalesforce', says ?? '*');
      p.counts.salesforce += 1;
      pairs.add(p, {
        kind: 'missingInFno',
        salesforceId: String(have.Id),
        fnoKey: key,
        company: says ?? '*',
        detail: `Salesforce has ${spec.salesforce.sobject} ${key}; F&O has no such record${says ? ` in ${says}` : ''}`,
        repair: none('nothing is deleted in Salesforce: check the record and remove it there if it is wrong'),
      });
    }
  }
  if (!run.apply) return;
  for (const [company, { since: day }] of repairs) {
    await deps.runFlow(flow.flow, { company, full: true, dryRun: false, ...(day ? { since: day } : {}) });
    deps.log.info({ flow: flow.flow, company, since: day }, 'reconcile ran the flow for the company');
  }
}
