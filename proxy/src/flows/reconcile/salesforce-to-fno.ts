/**
 * Salesforce → F&O pairs (accounts, contacts, orders): the flow's own SELECT against the F&O
 * rows linked to each record by the Salesforce Id the flow stored in F&O (the proof of ownership
 * the handlers use); repair re-enqueues records for the flow's handler.
 */
import { ne } from '../../d365/index.js';
import type { EnqueueInput } from '../../jobs/index.js';
import { isRejection } from '../../mapping/index.js';
import { versionOf } from '../intake/salesforce-records.js';
import { toOrgNames } from '../sweep/pending-sweep.js';
import { soqlSelectList, type SalesforceToFnoFlow } from '../sync/flow.js';
import { differences, hashValues, normaliseAll, pick, type Values } from './compare.js';
import { none, soql, text, type Row, type Run } from './context.js';

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

export async function salesforceToFno(flow: SalesforceToFnoFlow, run: Run): Promise<void> {
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
