/**
 * `fo-bridge doctor [--json]`: every check of the admin route `GET /v1/doctor`, from the command
 * line, with this process's own connections (built from the same environment as the proxy;
 * no workers are started, nothing is written but the store's write probe).
 *
 * Exit codes: 0 every check passes, 1 a check fails, 2 doctor could not run (usage, or an
 * unexpected error).
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../config.js';
import { configErrorChecks, renderReport, runDoctor, checks } from '../flows/doctor/index.js';
import type { CheckResult, DoctorReport } from '../flows/doctor/index.js';
import { createMetrics } from '../metrics.js';
import { createRuntime, type RuntimeContext } from '../runtime.js';
import { StartupError } from '../startup/startup-error.js';
import type { CliIo } from './dead-letters.js';

export const DOCTOR_USAGE = `usage: fo-bridge doctor [--json]

  Checks configuration, Entra (token, audience, clock), F&O (entities, companies, customer
  groups, sites, warehouses), Salesforce (login, API version and requests, field-level security
  of the integration user), the proxy (store, queue, dead letters, governor) and the package
  (last authenticated callout). One line per check; a failure says how to fix it.

  --json   the report as JSON (the same as GET /v1/doctor)

Exit codes: 0 every check passes, 1 a check fails, 2 doctor could not run.`;

export async function runDoctorCli(
  argv: string[],
  io: CliIo,
  ctx: Partial<Pick<RuntimeContext, 'd365Overrides' | 'salesforceOverrides'>> = {},
): Promise<number> {
  let json = false;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    });
    if (values.help) {
      io.out(DOCTOR_USAGE);
      return 0;
    }
    json = values.json === true;
  } catch (err) {
    io.err(`fo-bridge doctor: ${(err as Error).message}\n\n${DOCTOR_USAGE}`);
    return 2;
  }
  try {
    const report = await diagnose(io, ctx);
    io.out(json ? JSON.stringify(report, null, 2) : renderReport(report));
    return report.ok ? 0 : 1;
  } catch (err) {
    io.err(`fo-bridge doctor: could not run: ${(err as Error)?.message ?? String(err)}`);
    return 2;
  }
}

async function diagnose(
  io: CliIo,
  ctx: Partial<Pick<RuntimeContext, 'd365Overrides' | 'salesforceOverrides'>>,
): Promise<DoctorReport> {
  const now = io.clock ?? Date.now;
  let config;
  try {
    config = loadConfig(io.env as NodeJS.ProcessEnv);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return stopped(configErrorChecks(err), 'the configuration does not load', now);
  }
  let runtime;
  try {
    runtime = await createRuntime(config, {
      logger: pino({ level: 'silent' }),
      registry: createMetrics({ defaultMetrics: false }),
      startWorkers: false,
      ...ctx,
    });
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    const fail = checks(err.setting === 'STORE_URL' ? 'proxy' : 'configuration').fail(
      err.setting === 'STORE_URL' ? 'store' : `startup.${err.setting}`,
      `${err.setting}: ${err.problem}`,
      err.fix,
    );
    return stopped([fail], 'the proxy cannot start with this configuration', now);
  }
  try {
    return await runDoctor({
      config,
      store: runtime.store,
      d365: runtime.d365,
      salesforce: runtime.salesforce,
      bridge: runtime.bridge,
      clock: now,
    });
  } finally {
    for (const part of [...runtime.parts].reverse()) await part.close?.().catch(() => undefined);
  }
}

/** A report of what failed before the other checks could run. */
function stopped(failed: CheckResult[], why: string, now: () => number): DoctorReport {
  const skipped = checks('configuration').info('skipped', `other checks skipped: ${why}`);
  const results = [...failed, skipped];
  return {
    ok: false,
    checkedAt: new Date(now()).toISOString(),
    summary: { pass: 0, fail: failed.length, info: 1 },
    checks: results,
  };
}
