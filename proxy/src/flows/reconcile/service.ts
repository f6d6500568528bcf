/**
 * Reconciliation on the durable queue: the `reconcile` job (the daily schedule, RECONCILE_CRON,
 * and requested runs share one job key, so two runs never overlap), what the admin route and the
 * CLI call, and the kept reports (`history.ts`).
 */
import { z } from 'zod';
import type { ScheduleDefinition } from '../../jobs/index.js';
import type { Registry } from '../../metrics.js';
import { requireConnections, type FnoFlows, type FnoFlowsOptions } from '../fno-flows.js';
import { UnmappedCompanyError } from '../sync/fno-errors.js';
import { ReportNotFoundError, UnknownReconcileFlowError } from './errors.js';
import { getReport, listReports, saveReport } from './history.js';
import { createReconcileMetrics } from './metrics.js';
import type { ReconcileReport, ReportSummary } from './report.js';
import { reconcile, reconcileFlowNames, type ReconcileDeps } from './run.js';

export const RECONCILE_FLOW = 'reconcile';
const JOB_KEY = `schedule:${RECONCILE_FLOW}`;

/** A requested reconciliation, as the admin route and the CLI send it. */
export const ReconcileRequest = z.strictObject({
  flow: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .optional()
    .describe(
      'Only this flow (account, contact, order, products, invoices, payments) or these; all when absent.',
    ),
  company: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .optional()
    .describe('Only this company (dataAreaId) or these; all mapped companies when absent.'),
  repair: z
    .boolean()
    .default(false)
    .describe('Send what is missing or different through the normal flows again (what is safe to repair).'),
  dryRun: z
    .boolean()
    .default(false)
    .describe('Compare and say what a repair would do; change nothing. Answered at once, with the report.'),
});
export type ReconcileRequest = z.infer<typeof ReconcileRequest>;

const JobPayload = z.looseObject({
  flows: z.array(z.string()).optional(),
  companies: z.array(z.string()).optional(),
  repair: z.boolean().optional(),
  trigger: z.enum(['schedule', 'admin', 'cli']).optional(),
});

type Log = ReconcileDeps['log'];

export interface Reconciler {
  schedules: ScheduleDefinition[];
  /** A dry run is answered at once with its report; a real run is queued (its job id). */
  request(req: ReconcileRequest): Promise<ReconcileReport | { jobId: string; outcome: string }>;
  /** Runs in this process and keeps the report (the CLI: no worker needed). */
  runNow(req: ReconcileRequest, trigger: ReconcileReport['trigger'], log?: Log): Promise<ReconcileReport>;
  list(): Promise<ReportSummary[]>;
  get(id: string): Promise<ReconcileReport>;
}

/** The parts the F&O → Salesforce flows get, and those flows (a repair runs them). */
export interface ReconcilerOptions extends Omit<FnoFlowsOptions, 'flows'> {
  fno: FnoFlows;
  /** The CLI runs F&O → Salesforce repairs in its own process; the proxy queues them. */
  runFlowsNow?: boolean;
  /** Where `fobridge_reconcile_*` are registered. */
  registry?: Registry;
}

const list = (v: string | string[] | undefined): string[] | undefined =>
  v === undefined ? undefined : ([] as string[]).concat(v);

export function registerReconcile(opts: ReconcilerOptions): Reconciler {
  const metrics = createReconcileMetrics(opts.registry);
  const deps = (log: Log, signal?: AbortSignal): ReconcileDeps => {
    return {
      ...requireConnections(RECONCILE_FLOW, opts),
      config: opts.config,
      queue: opts.queue,
      runFlow: (flow, req) =>
        opts.runFlowsNow ? opts.fno.runNow(flow, req, log) : opts.fno.request(flow, req),
      clock: Date.now,
      log,
      ...(signal ? { signal } : {}),
    };
  };
  const run = async (
    p: { flows?: string[]; companies?: string[]; repair: boolean; dryRun: boolean },
    trigger: ReconcileReport['trigger'],
    d: ReconcileDeps,
  ): Promise<ReconcileReport> => {
    const unmapped = p.companies?.find((c) => !d.cfg.companies[c.toLowerCase()]);
    if (unmapped) throw new UnmappedCompanyError(unmapped);
    const report = await reconcile(
      {
        ...(p.flows ? { flows: p.flows } : {}),
        ...(p.companies ? { companies: p.companies } : {}),
        repair: p.repair,
        dryRun: p.dryRun,
        trigger,
      },
      d,
    );
    await saveReport(opts.store, report, opts.config.RECONCILE_HISTORY);
    metrics.observe(report);
    return report;
  };

  opts.queue.registerHandler(
    RECONCILE_FLOW,
    async (job, ctx) => {
      const p = JobPayload.parse(job.payload);
      const trigger = p.trigger ?? 'schedule';
      const report = await run(
        {
          ...(p.flows ? { flows: p.flows } : {}),
          ...(p.companies ? { companies: p.companies } : {}),
          repair: p.repair ?? (trigger === 'schedule' && opts.config.RECONCILE_SCHEDULE_REPAIR),
          dryRun: false,
        },
        trigger,
        deps(ctx.log, ctx.signal),
      );
      (report.ok ? ctx.log.info : ctx.log.warn).call(
        ctx.log,
        { report: report.id, summary: report.summary, repairs: report.repairs },
        report.ok ? 'reconciliation: both systems agree' : 'reconciliation found differences',
      );
    },
    { payload: JobPayload },
  );

  const cron = opts.config.RECONCILE_CRON.trim();
  const schedules =
    cron === '' || cron.toLowerCase() === 'off' ? [] : [{ name: RECONCILE_FLOW, cron, flow: RECONCILE_FLOW }];

  const fromRequest = (req: ReconcileRequest) => ({
    ...(req.flow ? { flows: list(req.flow)! } : {}),
    ...(req.company ? { companies: list(req.company)!.map((c) => c.toLowerCase()) } : {}),
    repair: req.repair,
    dryRun: req.dryRun,
  });

  return {
    schedules,
    runNow: (req, trigger, log = silent) => run(fromRequest(req), trigger, deps(log)),
    async request(req) {
      const p = fromRequest(req);
      const d = deps(silent); // refuses at once when a part is missing
      if (p.dryRun) return run(p, 'admin', d);
      const unmapped = p.companies?.find((c) => !d.cfg.companies[c]);
      if (unmapped) throw new UnmappedCompanyError(unmapped);
      const known = reconcileFlowNames();
      const unknown = p.flows?.find((f) => !known.includes(f));
      if (unknown) throw new UnknownReconcileFlowError(unknown, known);
      const r = await opts.queue.enqueue({
        flow: RECONCILE_FLOW,
        // The scheduler's key: a requested run waits for a scheduled one and the other way round.
        key: JOB_KEY,
        version: new Date().toISOString(),
        payload: { ...p, trigger: 'admin' },
      });
      return { jobId: r.job.id, outcome: r.outcome };
    },
    list: () => listReports(opts.store),
    async get(id) {
      const report = await getReport(opts.store, id);
      if (!report) throw new ReportNotFoundError(id);
      return report;
    },
  };
}

const silent: Log = { info: () => undefined, warn: () => undefined };
