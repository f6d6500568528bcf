/**
 * The F&O → Salesforce flows (`FNO_TO_SALESFORCE` in `sync/registry.ts`) on the durable queue:
 * one job handler per entry, one schedule per entry whose cron setting is not `off`, and what the
 * admin route and the CLI call to run one now. Scheduled and requested runs of a flow share one
 * job key, so two runs of the same flow never overlap (the queue runs one job per key at a time).
 */
import { z } from 'zod';
import type { Config } from '../config.js';
import type { D365Client } from '../d365/index.js';
import type { JobQueue, ScheduleDefinition, Store } from '../jobs/index.js';
import type { BridgeConfig } from '../mapping/index.js';
import type { SalesforceClient } from '../salesforce/index.js';
import { FlowNotConfiguredError, UnmappedCompanyError } from './sync/fno-errors.js';
import type { FnoRunDeps, FnoRunOptions, FnoRunResult, FnoToSalesforceFlow } from './sync/flow.js';
import { FNO_TO_SALESFORCE } from './sync/registry.js';

export interface FnoFlowsOptions {
  queue: JobQueue;
  store: Store;
  d365: D365Client | undefined;
  salesforce: SalesforceClient | undefined;
  bridge: BridgeConfig | undefined;
  config: Config;
  flows?: readonly FnoToSalesforceFlow[];
}

/** A requested run, as the admin route and the CLI send it. */
export const FnoRunRequest = z.strictObject({
  company: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .optional()
    .describe('Only this company (dataAreaId) or these; all mapped companies when absent.'),
  full: z.boolean().default(false).describe('Write everything, not only what changed since the last run.'),
  dryRun: z.boolean().default(false).describe('Report what would change; write nothing.'),
  since: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day, YYYY-MM-DD')
    .optional()
    .describe('First day included, for flows that sweep by day (invoices); default its look-back.'),
});
export type FnoRunRequest = z.infer<typeof FnoRunRequest>;

const JobPayload = z.looseObject({
  companies: z.array(z.string()).optional(),
  full: z.boolean().default(false),
  since: z.string().optional(),
});

export interface FnoFlows {
  flows: readonly FnoToSalesforceFlow[];
  /** The schedules of the flows whose cron setting is not `off`. */
  schedules: ScheduleDefinition[];
  /** A dry run, answered at once; a real one is queued (its job id is returned). */
  request(
    flow: string,
    req: FnoRunRequest,
  ): Promise<FnoRunResult | { flow: string; jobId: string; outcome: string }>;
  /** Run in this process and wait for the result (the CLI: no worker needed). */
  runNow(flow: string, req: FnoRunRequest, log?: FnoRunDeps['log']): Promise<FnoRunResult>;
}

const toOptions = (req: FnoRunRequest): FnoRunOptions => ({
  ...(req.company ? { companies: ([] as string[]).concat(req.company) } : {}),
  full: req.full,
  dryRun: req.dryRun,
  ...(req.since ? { since: req.since } : {}),
});

/** Both connections and the mapping file, or `FLOW_NOT_CONFIGURED` naming what is missing. */
export function requireConnections(
  flow: string,
  parts: Pick<FnoFlowsOptions, 'd365' | 'salesforce' | 'bridge'>,
): Pick<FnoRunDeps, 'd365' | 'salesforce' | 'cfg'> {
  const missing = [
    ...(parts.d365 ? [] : ['F&O']),
    ...(parts.salesforce ? [] : ['Salesforce']),
    ...(parts.bridge ? [] : ['BRIDGE_CONFIG']),
  ];
  if (missing.length > 0) throw new FlowNotConfiguredError(flow, missing);
  return { d365: parts.d365!, salesforce: parts.salesforce!, cfg: parts.bridge! };
}

export function registerFnoFlows(opts: FnoFlowsOptions): FnoFlows {
  const flows = opts.flows ?? FNO_TO_SALESFORCE;
  const deps = (flow: string, log: FnoRunDeps['log'], signal?: AbortSignal): FnoRunDeps => {
    return {
      ...requireConnections(flow, opts),
      store: opts.store,
      config: opts.config,
      clock: Date.now,
      log,
      ...(signal ? { signal } : {}),
    };
  };
  for (const flow of flows) {
    opts.queue.registerHandler(
      flow.flow,
      async (job, ctx) => {
        const p = JobPayload.parse(job.payload);
        const result = await flow.run(
          {
            ...(p.companies ? { companies: p.companies } : {}),
            ...(p.since ? { since: p.since } : {}),
            full: p.full,
            dryRun: false,
          },
          deps(flow.flow, ctx.log, ctx.signal),
        );
        ctx.log.info({ flow: flow.flow, ...result.counts }, `${flow.flow} run done`);
      },
      { payload: JobPayload },
    );
  }
  const schedules = flows
    .map((f) => ({ f, cron: String(opts.config[f.scheduleSetting] ?? 'off').trim() }))
    .filter(({ cron }) => cron !== '' && cron.toLowerCase() !== 'off')
    .map(({ f, cron }) => ({ name: f.flow, cron, flow: f.flow }));

  const find = (name: string): FnoToSalesforceFlow => {
    const flow = flows.find((f) => f.flow === name);
    if (!flow) throw new Error(`no F&O → Salesforce flow "${name}"`);
    return flow;
  };
  return {
    flows,
    schedules,
    runNow: (name, req, log = silent) => find(name).run(toOptions(req), deps(name, log)),
    async request(name, req) {
      const flow = find(name);
      const options = toOptions(req);
      if (options.dryRun) return flow.run(options, deps(flow.flow, silent));
      // Refuse at once what would only dead-letter later: a missing part, an unmapped company.
      const { cfg } = deps(flow.flow, silent);
      const unmapped = options.companies?.find((c) => !cfg.companies[c.toLowerCase()]);
      if (unmapped) throw new UnmappedCompanyError(unmapped);
      const now = new Date().toISOString();
      const r = await opts.queue.enqueue({
        flow: flow.flow,
        // The scheduler's key: a requested run waits for a scheduled one and the other way round.
        key: `schedule:${flow.flow}`,
        version: now,
        payload: {
          ...(options.companies ? { companies: options.companies } : {}),
          ...(options.since ? { since: options.since } : {}),
          full: options.full,
        },
      });
      return { flow: flow.flow, jobId: r.job.id, outcome: r.outcome };
    },
  };
}

const silent: FnoRunDeps['log'] = { info: () => undefined, warn: () => undefined };
