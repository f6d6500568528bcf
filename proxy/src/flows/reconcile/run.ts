/**
 * One reconciliation: per flow and company, what Salesforce has against what F&O has, derived
 * from the flows' `reconcile` declarations in the registry (docs/reconciliation.md).
 *
 * Reads are cheap and background: F&O with `$select` of the compared fields only, page by page,
 * on the governor's `bulk` lane; Salesforce with SOQL pages of 2,000 (`queryMore`), each query
 * after `waitForBackground` (the API budget floor, SF_API_FLOOR_PCT).
 *
 * Repair goes through the normal flows only: a Salesforce record is enqueued again for its flow's
 * handler (create-once, and a PATCH only of a row provably its own); an F&O → Salesforce flow is
 * run for the company (upserts by External ID). Nothing is deleted, and a record in the wrong
 * company is reported, never moved.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../../config.js';
import { ne, type D365Client } from '../../d365/index.js';
import type { EnqueueInput, JobQueue } from '../../jobs/index.js';
import { isRejection, type BridgeConfig } from '../../mapping/index.js';
import type { SalesforceClient } from '../../salesforce/index.js';
import type { FnoRunRequest } from '../fno-flows.js';
import { versionOf } from '../intake/salesforce-records.js';
import { toOrgNames } from '../sweep/pending-sweep.js';
import { soqlSelectList, type FnoToSalesforceFlow, type SalesforceToFnoFlow } from '../sync/flow.js';
import { FNO_TO_SALESFORCE, SALESFORCE_TO_FNO } from '../sync/registry.js';
import { differences, hashValues, normaliseAll, pick, type Values } from './compare.js';
import type { ExpectedRecord } from './declaration.js';
import {
  FINDING_KINDS,
  FINDINGS_SHOWN,
  type Finding,
  type PairCounts,
  type PairReport,
  type ReconcileReport,
} from './report.js';
import { UnknownReconcileFlowError } from './errors.js';

type Row = Record<string, unknown>;

/** Salesforce query pages: the client asks for this many records per page. */
const PAGE = 2000;

export interface ReconcileOptions {
  /** Flow names (`account`, `invoices`); all when absent. */
  flows?: readonly string[];
  /** dataAreaIds; all mapped companies when absent. */
  companies?: readonly string[];
  repair: boolean;
  dryRun: boolean;
  trigger: ReconcileReport['trigger'];
}

export interface ReconcileDeps {
  d365: D365Client;
  salesforce: SalesforceClient;
  cfg: BridgeConfig;
  config: Config;
  queue: Pick<JobQueue, 'enqueueMany'>;
  /** Runs (or queues) an F&O → Salesforce flow: the repair of what it writes. */
  runFlow(flow: string, req: FnoRunRequest): Promise<unknown>;
  clock: () => number;
  signal?: AbortSignal;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

/** Every flow reconciliation knows, in registry order. */
export function reconcileFlowNames(): string[] {
  return [...SALESFORCE_TO_FNO.map((f) => f.flow), ...FNO_TO_SALESFORCE.map((f) => f.flow)];
}

const emptyCounts = (): PairCounts => ({
  salesforce: 0,
  fno: 0,
  matched: 0,
  missingInFno: 0,
  missingInSalesforce: 0,
  different: 0,
  wrongCompany: 0,
  pendingTooLong: 0,
  unmappable: 0,
});

/** The report's pairs, one per flow and company, created as findings arrive. */
class Pairs {
  readonly list: PairReport[] = [];
  get(flow: string, pair: string, direction: PairReport['direction'], company: string): PairReport {
    let p = this.list.find((x) => x.flow === flow && x.company === company && x.pair === pair);
    if (!p) {
      p = { flow, pair, direction, company, counts: emptyCounts(), findings: [], truncated: false };
      this.list.push(p);
    }
    return p;
  }
  add(p: PairReport, finding: Finding): void {
    p.counts[finding.kind] += 1;
    if (p.findings.length < FINDINGS_SHOWN) p.findings.push(finding);
    else p.truncated = true;
  }
}

const none = (why: string) => ({ action: 'none' as const, why, applied: false });

export async function reconcile(opts: ReconcileOptions, deps: ReconcileDeps): Promise<ReconcileReport> {
  const known = reconcileFlowNames();
  const unknown = opts.flows?.find((f) => !known.includes(f));
  if (unknown) throw new UnknownReconcileFlowError(unknown, known);
  const mapped = Object.keys(deps.cfg.companies);
  const companies = opts.companies?.length ? opts.companies.map((c) => c.toLowerCase()) : mapped;
  const startedAt = new Date(deps.clock()).toISOString();
  const id = `${startedAt.replace(/[-:.]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;
  const wanted = (flow: string) => !opts.flows?.length || opts.flows.includes(flow);
  const pairs = new Pairs();
  const notes: string[] = [];
  const requests = { fno: 0, salesforce: 0 };
  const apply = opts.repair && !opts.dryRun;
  const run = { opts, deps, pairs, notes, requests, companies, mapped, id, apply };

  for (const flow of SALESFORCE_TO_FNO) if (wanted(flow.flow)) await salesforceToFno(flow, run);
  for (const flow of FNO_TO_SALESFORCE) if (wanted(flow.flow)) await fnoToSalesforce(flow, run);

  const findings = pairs.list.flatMap((p) => p.findings);
  const summary = Object.fromEntries(
    FINDING_KINDS.map((k) => [k, pairs.list.reduce((n, p) => n + p.counts[k], 0)]),
  ) as ReconcileReport['summary'];
  const planned = findings.filter((f) => f.repair.action !== 'none');
  return {
    id,
    startedAt,
    finishedAt: new Date(deps.clock()).toISOString(),
    trigger: opts.trigger,
    repair: opts.repair,
    dryRun: opts.dryRun,
    scope: { flows: known.filter(wanted), companies },
    requests,
    ok: FINDING_KINDS.every((k) => summary[k] === 0),
    summary,
    repairs: {
      planned: planned.length,
      applied: planned.filter((f) => f.repair.applied).length,
      leftToPeople: findings.length - planned.length,
    },
    notes,
    pairs: pairs.list,
  };
}

interface Run {
  opts: ReconcileOptions;
  deps: ReconcileDeps;
  pairs: Pairs;
  notes: string[];
  requests: { fno: number; salesforce: number };
  /** In scope. */
  companies: string[];
  /** Every mapped company (F&O is read in all of them to see a record in the wrong one). */
  mapped: string[];
  id: string;
  apply: boolean;
}

/**
 * All records of a query, after the API budget allows background work: SOQL pages of 2,000
 * (`queryMore`), or — when more records than SF_BULK_THRESHOLD match and the query has no
 * sub-query — a Bulk API 2.0 query (a handful of calls whatever the size; every value as text).
 */
async function soql(run: Run, query: string): Promise<Row[]> {
  const { salesforce, signal, config } = run.deps;
  await salesforce.budget.waitForBackground(signal ? { signal } : {});
  const out: Row[] = [];
  const from = query.indexOf(' FROM ');
  if (!query.includes('(SELECT') && from > 0) {
    run.requests.salesforce += 1;
    const total = await salesforce.count(`SELECT COUNT()${query.slice(from)}`);
    if (total > config.SF_BULK_THRESHOLD) {
      const pages = salesforce.bulkQuery<Row>(query, {
        expectedRows: total,
        onRequest: () => {
          run.requests.salesforce += 1;
        },
      });
      for await (const page of pages) out.push(...page);
      return out;
    }
  }
  for await (const r of salesforce.query<Row>(query, { batchSize: PAGE })) out.push(r);
  run.requests.salesforce += Math.max(1, Math.ceil(out.length / PAGE));
  return out;
}

function text(record: Row, field: string): string | undefined {
  const v = record[field];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** Salesforce Ids as F&O may hold them: the 15-character case-sensitive form matches both. */
const id15 = (id: string): string => id.slice(0, 15);

interface SalesforceSide {
  id: string;
  /** As the handler reads it: org (namespaced) names. */
  record: Row;
  company: string | undefined;
  key: string | undefined;
  values: Values | undefined;
  unmappable: string | undefined;
  pending: boolean;
}

interface FnoRow {
  company: string;
  key: string;
  salesforceId: string;
  row: Row;
}

async function salesforceToFno(flow: SalesforceToFnoFlow, run: Run): Promise<void> {
  const { deps, pairs } = run;
  const spec = flow.reconcile;
  const ns = { namespace: deps.salesforce.namespace };
  const cutoff = deps.clock() - deps.config.RECONCILE_PENDING_MIN * 60_000;

  // ── Salesforce: the flow's own SELECT, every record the package has marked (won ones for
  // orders). A record without a sync status never entered the bridge (it predates the package,
  // or never qualified): comparing it would make a repair sync years of history.
  const where = ['D365_Sync_Status__c != null', ...(flow.sweepFilter ? [flow.sweepFilter] : [])].join(
    ' AND ',
  );
  const records = await soql(
    run,
    `SELECT ${soqlSelectList(flow.select)} FROM ${flow.sobject} WHERE ${where}`,
  );
  const side: SalesforceSide[] = records.map((raw) => {
    const record = toOrgNames(raw, deps.salesforce.sfName) as Row;
    const id = String(raw.Id);
    const stamp = text(raw, 'SystemModstamp');
    const pending =
      raw.D365_Sync_Status__c === 'Pending' && stamp !== undefined && Date.parse(versionOf(stamp)) < cutoff;
    const read = flow.read(record, deps.cfg, ns);
    if (isRejection(read))
      return {
        id,
        record,
        company: undefined,
        key: undefined,
        values: undefined,
        unmappable: read.reason,
        pending,
      };
    const values = spec.mapped(read, deps.cfg, ns);
    return {
      id,
      record,
      company: read.company,
      key: text(raw, flow.keyField),
      values: isRejection(values) ? undefined : normaliseAll(values),
      unmappable: isRejection(values) ? values.reason : undefined,
      pending,
    };
  });
  const byId = new Map(side.map((s) => [id15(s.id), s]));
  const fields = [...new Set(side.flatMap((s) => (s.values ? Object.keys(s.values) : [])))];

  // ── F&O: rows linked to a Salesforce Id of this object, in every mapped company ────────
  const fno = new Map<string, FnoRow[]>();
  const inCompany = new Map<string, number>();
  for (const company of run.mapped) {
    const correlation = spec.correlationField(deps.cfg, company);
    const query = deps.d365.odata.query<Row>(spec.entity, {
      company,
      filter: ne(correlation, ''),
      select: [...new Set([spec.fnoKey, correlation, ...fields])],
      lane: 'bulk',
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    for await (const page of query.pages()) {
      run.requests.fno += 1;
      for (const row of page.rows) {
        const linked = text(row, correlation);
        if (
          !linked ||
          !/^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/.test(linked) ||
          !linked.startsWith(spec.idPrefix)
        )
          continue;
        const entry = { company, key: String(row[spec.fnoKey] ?? ''), salesforceId: linked, row };
        fno.set(id15(linked), [...(fno.get(id15(linked)) ?? []), entry]);
        inCompany.set(company, (inCompany.get(company) ?? 0) + 1);
      }
    }
  }

  // ── compare, per company in scope ─────────────────────────────────────────────────────
  const reenqueue = new Map<string, SalesforceSide>();
  const repairBy = (s: SalesforceSide, why: string) => {
    reenqueue.set(s.id, s);
    return { action: 'reenqueue' as const, why, applied: run.apply };
  };
  const pairOf = (company: string) => pairs.get(flow.flow, spec.pair, 'salesforceToFno', company);
  for (const company of run.companies) {
    const p = pairOf(company);
    p.counts.fno = inCompany.get(company) ?? 0;
  }
  for (const s of side) {
    const company = s.company ?? '*';
    if (s.company !== undefined && !run.companies.includes(s.company)) continue;
    if (s.company === undefined && run.opts.companies?.length) continue;
    const p = pairOf(company);
    p.counts.salesforce += 1;
    if (s.unmappable) p.counts.unmappable += 1;
    if (s.pending) {
      pairs.add(p, {
        kind: 'pendingTooLong',
        salesforceId: s.id,
        company,
        detail: `still Pending ${Math.round((run.deps.clock() - Date.parse(versionOf(String(s.record.SystemModstamp)))) / 60_000)} min after its last change: its callout was lost`,
        repair: s.company
          ? repairBy(s, `sent through the ${flow.flow} flow again`)
          : none(`the flow cannot take it as it is: ${s.unmappable}`),
      });
    }
    // Not routable to a company: nothing to compare it with (its callout dead-letters the same way).
    if (s.company === undefined) continue;
    const rows = fno.get(id15(s.id)) ?? [];
    const here = rows.find((r) => r.company === s.company);
    const elsewhere = rows.filter((r) => r.company !== s.company);
    if (!here && elsewhere.length > 0) {
      pairs.add(p, {
        kind: 'wrongCompany',
        salesforceId: s.id,
        fnoKey: elsewhere[0]!.key,
        company,
        fnoCompany: elsewhere[0]!.company,
        detail: `Salesforce routes it to ${company}; F&O holds its ${flow.what} ${elsewhere[0]!.key} in ${elsewhere.map((r) => r.company).join(', ')}`,
        repair: none(
          'never moved between companies: correct the routing field in Salesforce or the record in F&O',
        ),
      });
      continue;
    }
    if (!here) {
      if (s.pending) continue; // reported (and repaired) as Pending
      pairs.add(p, {
        kind: 'missingInFno',
        salesforceId: s.id,
        ...(s.key ? { fnoKey: s.key } : {}),
        company,
        detail: s.key
          ? `Salesforce names ${flow.what} ${s.key}, but F&O has no ${flow.what} of this record in ${company}`
          : `no ${flow.what} of this record in F&O ${company}${s.unmappable ? ` (${s.unmappable})` : ''}`,
        repair: s.key
          ? none(
              `the key in Salesforce points to nothing that is provably this record's (deleted in F&O?): clear ${flow.keyField} to create it again`,
            )
          : repairBy(s, `sent through the ${flow.flow} flow again (created once)`),
      });
      continue;
    }
    p.counts.matched += 1;
    for (const other of elsewhere) {
      pairs.add(p, {
        kind: 'wrongCompany',
        salesforceId: s.id,
        fnoKey: other.key,
        company,
        fnoCompany: other.company,
        detail: `a second ${flow.what} of this record, ${other.key}, is in ${other.company} (its own is ${here.key} in ${company})`,
        repair: none(`never deleted or moved: close ${other.key} in ${other.company} if it is not needed`),
      });
    }
    if (s.key && s.key !== here.key) {
      pairs.add(p, {
        kind: 'different',
        salesforceId: s.id,
        fnoKey: here.key,
        company,
        fields: [{ field: flow.keyField, salesforce: s.key, fno: here.key }],
        detail: `Salesforce names ${flow.what} ${s.key}; this record's ${flow.what} in F&O is ${here.key}`,
        repair: none(
          `correct ${flow.keyField} in Salesforce (the F&O record carrying this record's Id is ${here.key})`,
        ),
      });
      continue;
    }
    if (!s.values) continue;
    const theirs = pick(here.row, Object.keys(s.values));
    const diff = differences(s.values, theirs);
    if (diff.length === 0) continue;
    pairs.add(p, {
      kind: 'different',
      salesforceId: s.id,
      fnoKey: here.key,
      company,
      hash: { salesforce: hashValues(s.values), fno: hashValues(theirs) },
      fields: diff,
      detail: `${diff.length} mapped field(s) differ`,
      repair: spec.repairsDifferences
        ? repairBy(
            s,
            `sent through the ${flow.flow} flow again: it updates what Salesforce owns, the ${flow.what} being provably this record's`,
          )
        : none(`F&O owns the ${flow.what} after its creation: change it in F&O if Salesforce is right`),
    });
  }
  // Linked in F&O to a record Salesforce does not have (deleted, or no longer won).
  for (const [sid, rows] of fno) {
    if (byId.has(sid)) continue;
    for (const r of rows) {
      if (!run.companies.includes(r.company)) continue;
      pairs.add(pairOf(r.company), {
        kind: 'missingInSalesforce',
        salesforceId: r.salesforceId,
        fnoKey: r.key,
        company: r.company,
        detail: `F&O ${flow.what} ${r.key} is linked to ${flow.sobject} ${r.salesforceId}, which Salesforce does not have${flow.sweepFilter ? ` (or not with ${flow.sweepFilter})` : ''}`,
        repair: none('nothing is deleted in F&O: close or unlink it there if it is no longer needed'),
      });
    }
  }

  if (run.apply && reenqueue.size > 0) {
    const inputs: EnqueueInput<unknown>[] = [...reenqueue.values()].map((s) => ({
      flow: flow.flow,
      key: s.id,
      // Newer than the version already done (so the job runs again), older than any later edit.
      version: `${versionOf(String(s.record.SystemModstamp))}~reconcile-${run.id}`,
      payload: s.record,
    }));
    await deps.queue.enqueueMany(inputs);
    deps.log.info({ flow: flow.flow, records: inputs.length }, 'reconcile re-enqueued records');
  }
}

async function fnoToSalesforce(flow: FnoToSalesforceFlow, run: Run): Promise<void> {
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
