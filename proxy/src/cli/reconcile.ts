/**
 * `fo-bridge reconcile`: compare Salesforce with F&O now, in this process, with the proxy's
 * configuration (the environment, .env); the report is kept in the store like the proxy's own.
 * Records to send again are enqueued in the store, where the proxy's workers pick them up; the
 * F&O → Salesforce flows run here.
 *
 * Exit codes: 0 both systems agree, 1 something was found, 2 usage or it could not run.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../config.js';
import { reconcileFlowNames, renderReport } from '../flows/reconcile/index.js';
import { createMetrics } from '../metrics.js';
import { createRuntime, type RuntimeContext } from '../runtime.js';
import type { CliIo } from './dead-letters.js';

export const RECONCILE_USAGE = `usage: fo-bridge reconcile [--flow F]... [--company C]... [--repair] [--dry-run] [--json]
       fo-bridge reconcile --list [--json]
       fo-bridge reconcile --show ID [--json]

  Compares what Salesforce has with what F&O has, per flow and company: counts on both sides,
  records missing on either side, mapped fields that differ, records in the wrong company and
  records left Pending (docs/reconciliation.md).

  --flow     only this flow (${reconcileFlowNames().join(', ')}); repeat for several
  --company  only this company (dataAreaId); repeat for several; default all mapped companies
  --repair   send what is missing or different through the normal flows again (what is safe)
  --dry-run  with --repair: say what it would do, change nothing
  --json     the report as JSON (the same as GET /v1/reconcile/reports/<id>)
  --list     the kept reports, newest first
  --show     one kept report

Exit codes: 0 both systems agree, 1 something was found, 2 usage or it could not run.`;

export async function runReconcileCli(
  argv: string[],
  io: CliIo,
  /** Tests: point the clients at emulators (as the sandbox's RuntimeContext does). */
  overrides: Pick<RuntimeContext, 'd365Overrides' | 'salesforceOverrides'> = {},
): Promise<number> {
  let values: {
    flow?: string[];
    company?: string[];
    repair?: boolean;
    'dry-run'?: boolean;
    json?: boolean;
    list?: boolean;
    show?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        flow: { type: 'string', multiple: true },
        company: { type: 'string', multiple: true },
        repair: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        list: { type: 'boolean' },
        show: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    io.err(`fo-bridge reconcile: ${(err as Error).message}\n\n${RECONCILE_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(RECONCILE_USAGE);
    return 0;
  }
  let runtime: Awaited<ReturnType<typeof createRuntime>> | undefined;
  try {
    const config = loadConfig(io.env as NodeJS.ProcessEnv);
    const logger = pino({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL });
    runtime = await createRuntime(config, {
      logger,
      registry: createMetrics({ defaultMetrics: false }),
      startWorkers: false,
      runFlowsNow: true,
      ...overrides,
    });
    if (values.list) {
      const items = await runtime.reconciler.list();
      if (values.json) io.out(JSON.stringify({ items }, null, 2));
      else
        for (const r of items)
          io.out(
            `${r.id}  ${r.startedAt}  ${r.trigger}${r.repair ? (r.dryRun ? ' repair (dry run)' : ' repair') : ''}  ${
              r.ok
                ? 'agree'
                : Object.entries(r.summary)
                    .filter(([, n]) => n > 0)
                    .map(([k, n]) => `${k} ${n}`)
                    .join(', ')
            }`,
          );
      return 0;
    }
    const report = values.show
      ? await runtime.reconciler.get(values.show)
      : await runtime.reconciler.runNow(
          {
            ...(values.flow ? { flow: values.flow } : {}),
            ...(values.company ? { company: values.company } : {}),
            repair: values.repair ?? false,
            dryRun: values['dry-run'] ?? false,
          },
          'cli',
          logger,
        );
    io.out(values.json ? JSON.stringify(report, null, 2) : renderReport(report));
    return report.ok ? 0 : 1;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    io.err(
      `fo-bridge reconcile: ${typeof code === 'string' ? `${code}: ` : ''}${(err as Error)?.message ?? String(err)}`,
    );
    return 2;
  } finally {
    for (const part of [...(runtime?.parts ?? [])].reverse()) await part.close?.().catch(() => undefined);
  }
}
