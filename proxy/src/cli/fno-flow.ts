/**
 * `fo-bridge <flow> sync …`: one F&O → Salesforce flow run now, in this process, with the proxy's
 * configuration (the environment, .env): one command per entry of `FNO_TO_SALESFORCE`.
 *
 *   fo-bridge products sync [--company C]… [--full] [--dry-run] [--json]
 *
 * --dry-run prints what would change and writes nothing. Exit codes: 0 ok, 1 the run failed
 * (not configured, unknown company, F&O or Salesforce refused), 2 usage.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../config.js';
import type { FnoToSalesforceFlow } from '../flows/sync/flow.js';
import { createMetrics } from '../metrics.js';
import { createRuntime, type RuntimeContext } from '../runtime.js';
import type { CliIo } from './dead-letters.js';

export function fnoFlowUsage(flow: FnoToSalesforceFlow): string {
  return `usage: fo-bridge ${flow.flow} sync [--company C]... [--since YYYY-MM-DD] [--full] [--dry-run] [--json]
  ${flow.summary}, now (reads the proxy's configuration).
  --since    first day included, for flows that sweep by day (invoices)
  --company  only this company (dataAreaId); repeat for several; default all mapped companies
  --full     write everything, not only what changed since the last run
  --dry-run  print what would change; write nothing

Exit codes: 0 ok, 1 the run failed, 2 usage.`;
}

export async function runFnoFlowCli(
  flow: FnoToSalesforceFlow,
  argv: string[],
  io: CliIo,
  /** Tests: point the clients at emulators (as the sandbox's RuntimeContext does). */
  overrides: Pick<RuntimeContext, 'd365Overrides' | 'salesforceOverrides'> = {},
): Promise<number> {
  let values: {
    company?: string[];
    since?: string;
    full?: boolean;
    'dry-run'?: boolean;
    json?: boolean;
    help?: boolean;
  };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        company: { type: 'string', multiple: true },
        since: { type: 'string' },
        full: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    io.err(`${(err as Error).message}\n${fnoFlowUsage(flow)}`);
    return 2;
  }
  if (values.help) {
    io.out(fnoFlowUsage(flow));
    return 0;
  }
  if (
    positionals.length !== 1 ||
    positionals[0] !== 'sync' ||
    (values.since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.since))
  ) {
    io.err(fnoFlowUsage(flow));
    return 2;
  }
  const config = loadConfig(io.env as NodeJS.ProcessEnv);
  const logger = pino({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL });
  const runtime = await createRuntime(config, {
    logger,
    registry: createMetrics(),
    startWorkers: false,
    ...overrides,
  });
  try {
    const result = await runtime.fno.runNow(
      flow.flow,
      {
        ...(values.company ? { company: values.company } : {}),
        ...(values.since ? { since: values.since } : {}),
        full: values.full ?? false,
        dryRun: values['dry-run'] ?? false,
      },
      logger,
    );
    if (values.json) io.out(JSON.stringify(result, null, 2));
    else {
      io.out(`${flow.flow}${result.dryRun ? ' (dry run: nothing written)' : ''}`);
      for (const [k, v] of Object.entries(result.counts)) io.out(`  ${k}: ${v}`);
      for (const c of result.changes ?? [])
        io.out(`  ${result.dryRun ? 'would write ' : ''}${JSON.stringify(c)}`);
    }
    return 0;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    io.err(
      `fo-bridge ${flow.flow} sync: ${typeof code === 'string' ? `${code}: ` : ''}${(err as Error).message}`,
    );
    return 1;
  } finally {
    for (const part of [...runtime.parts].reverse()) await part.close?.();
  }
}
