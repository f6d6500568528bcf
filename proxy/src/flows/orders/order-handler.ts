/**
 * Flow 3: won Opportunity → F&O sales order (`SalesOrderHeadersV2` + `SalesOrderLines`), then
 * the order number written back to `Opportunity.D365_Sales_Order_Number__c`.
 *
 * Create once:
 *  1. look the order up by `CustomersOrderReference` = Opportunity Id in the company;
 *  2. none: take the Opportunity's proxy-assigned `SalesOrderNumber` (allocated once from
 *     `orders.numbering` and kept in the ledger before the first attempt). An order that exists
 *     at that number is this Opportunity's only if its `CustomersOrderReference` says so; one
 *     that is not is a collision: left alone, logged, counted, and the next number is taken;
 *  3. send header + every line in ONE `$batch` changeset, each carrying that explicit
 *     `SalesOrderNumber` (no `$1` Content-ID references: the reference material does not confirm
 *     F&O supports them in a changeset). F&O commits all of it or none of it;
 *  4. a refused changeset created nothing: its Infolog goes to the record and the dead letter;
 *     an ambiguous one (timeout, reset) is looked up again, by reference and by number, before
 *     anything else is sent.
 * An Opportunity whose order number is already set gets its status written back, nothing more
 * (changes to an order after its creation are made in F&O).
 */
import { D365ValidationError, createOnce, eq, type BatchOperation } from '../../d365/index.js';
import { salesOrderFrom, type OpportunityToSync } from '../../mapping/index.js';
import { collisions } from '../numbering/collisions.js';
import { numberFor } from '../numbering/ledger-number.js';
import { provesOwnership } from '../numbering/ownership.js';
import { withCurrentParent } from '../sync/current-parent.js';
import { MappingRejectedError } from '../sync/failure.js';
import type { SyncRun } from '../sync/flow.js';

const HEADERS = 'SalesOrderHeadersV2';
const LINES = 'SalesOrderLines';
type Row = Record<string, unknown>;

/** Flow 3's handler: the won Opportunity read once (parsed, routed), in; the order number, out. */
export async function syncOrder(read: OpportunityToSync, run: SyncRun): Promise<string> {
  const { d365, cfg, deps, ctx, trace, salesforceId: opportunityId } = run;
  const call = { lane: 'order' as const, signal: ctx.signal };
  const ns = { namespace: deps.namespace };
  let mapped = salesOrderFrom(read, cfg, ns);
  if (!mapped.ok && mapped.code === 'PARENT_NOT_SYNCED') {
    mapped = salesOrderFrom(
      { ...read, opportunity: await withCurrentParent(read.opportunity, deps) },
      cfg,
      ns,
    );
  }
  if (!mapped.ok) throw new MappingRejectedError(mapped);
  const { company, identity } = mapped;
  if (identity.salesOrderNumber) {
    trace.outcome = 'already-synced';
    return identity.salesOrderNumber;
  }

  const byReference = async () =>
    (
      await d365.odata
        .query<Row>(HEADERS, {
          ...call,
          company,
          filter: eq(identity.correlation.field, identity.correlation.value),
          select: ['SalesOrderNumber'],
          top: 1,
        })
        .all()
    )[0];
  const earlier = await byReference();
  if (earlier?.SalesOrderNumber) {
    trace.outcome = 'found';
    trace.key = earlier.SalesOrderNumber;
    return String(earlier.SalesOrderNumber);
  }

  const numbering = cfg.orders.numbering;
  const ledger = {
    ledger: 'sales-order-number',
    key: `${company}:${opportunityId}`,
    sequence: `sales-order:${company}`,
    start: numbering.start,
    end: numbering.end,
    format: (n: number) => `${numbering.prefix}${String(n).padStart(numbering.width, '0')}`,
  };
  let number = await numberFor(deps.store, ledger);
  const byNumber = (salesOrderNumber: string) =>
    d365.odata.findByKey<Row>(
      HEADERS,
      { dataAreaId: company, SalesOrderNumber: salesOrderNumber },
      { ...call, select: ['SalesOrderNumber', identity.correlation.field] },
    );
  // An order is this Opportunity's only if it carries the Opportunity Id as its reference.
  const owned = (row: Row) => provesOwnership(row[identity.correlation.field], opportunityId);
  const collision = collisions({
    ctx,
    deps,
    ledger,
    entity: HEADERS,
    company,
    salesforceId: opportunityId,
    correlationField: identity.correlation.field,
    what: 'sales order',
    holds: 'order',
    keyName: 'salesOrderNumber',
  });
  const collide = async (row: Row) => {
    number = await collision(row, number.value);
  };

  for (;;) {
    const salesOrderNumber = number.value;
    trace.key = salesOrderNumber;
    if (!number.fresh) {
      const done = await byNumber(salesOrderNumber);
      if (done && owned(done)) {
        trace.outcome = 'found';
        return salesOrderNumber;
      }
      if (done) {
        await collide(done);
        continue;
      }
    }
    const ours = async () => {
      const row = await byNumber(salesOrderNumber);
      return row && owned(row) ? row : undefined;
    };
    const find = async () => (await byReference()) ?? (await ours());

    const op = (entity: string, body: Row): BatchOperation => ({
      method: 'POST',
      entity,
      query: 'cross-company=true',
      body: { ...body, SalesOrderNumber: salesOrderNumber },
    });
    const changeset = [op(HEADERS, mapped.entity.header), ...mapped.entity.lines.map((l) => op(LINES, l))];
    let r: Awaited<ReturnType<typeof createOnce<Row>>>;
    try {
      r = await createOnce<Row>({
        find,
        create: async () => {
          const [result] = await d365.batch.execute([{ changeset }], call);
          if (!result) throw new Error('$batch returned no result for the order changeset');
          if (!result.ok) throw result.error;
          return { SalesOrderNumber: salesOrderNumber };
        },
        signal: ctx.signal,
      });
    } catch (err) {
      if (!(err instanceof D365ValidationError)) throw err;
      // Refused: "the record already exists" for another record's order is a collision.
      const row = await byNumber(salesOrderNumber);
      if (!row || owned(row)) throw err;
      await collide(row);
      continue;
    }
    trace.outcome = r.outcome;
    trace.lines = mapped.entity.lines.length;
    if (mapped.warnings.length)
      ctx.log.warn({ warnings: mapped.warnings }, 'sales order mapped with warnings');
    return String(r.row.SalesOrderNumber ?? salesOrderNumber);
  }
}
