/**
 * Runs every group of checks against the proxy's parts and returns one report. A group that
 * throws becomes one failed check naming the error, so one broken upstream never hides the
 * verdicts of the others.
 */
import type { Config } from '../../config.js';
import type { D365Client } from '../../d365/index.js';
import type { Store } from '../../jobs/index.js';
import type { BridgeConfig } from '../../mapping/index.js';
import type { SalesforceClient } from '../../salesforce/index.js';
import { packageChecks } from './callouts.js';
import { configurationChecks } from './configuration.js';
import { entraChecks } from './entra.js';
import type { FieldUse } from './flow-fields.js';
import { fnoChecks } from './fno.js';
import { proxyChecks } from './proxy-state.js';
import { checks, reason, toReport, type CheckGroup, type CheckResult, type DoctorReport } from './report.js';
import { salesforceChecks } from './salesforce.js';

export interface DoctorDeps {
  config: Config;
  store: Store;
  d365: D365Client | undefined;
  salesforce: SalesforceClient | undefined;
  bridge: BridgeConfig | undefined;
  /** The Salesforce fields to check (default: what the flows use today). */
  fields?: FieldUse[];
  clock?: () => number;
}

async function guarded(
  group: CheckGroup,
  run: () => Promise<CheckResult[]> | CheckResult[],
): Promise<CheckResult[]> {
  try {
    return await run();
  } catch (err) {
    return [
      checks(group).fail(
        'error',
        `the ${group} checks stopped: ${reason(err)}`,
        'run again with LOG_LEVEL=debug and see the proxy log',
      ),
    ];
  }
}

export async function runDoctor(deps: DoctorDeps, earlier: CheckResult[] = []): Promise<DoctorReport> {
  const now = deps.clock ?? Date.now;
  const results = [...earlier];
  results.push(...(await guarded('configuration', () => configurationChecks(deps.config))));
  results.push(...(await guarded('entra', () => entraChecks(deps.d365, now))));
  results.push(...(await guarded('fno', () => fnoChecks(deps.d365, deps.bridge))));
  results.push(
    ...(await guarded('salesforce', () =>
      salesforceChecks(deps.salesforce, {
        apiVersion: deps.config.SF_API_VERSION,
        floorPct: deps.config.SF_API_FLOOR_PCT,
        ...(deps.fields ? { fields: deps.fields } : {}),
      }),
    )),
  );
  results.push(...(await guarded('proxy', () => proxyChecks(deps.store, deps.d365, now))));
  results.push(...(await guarded('package', () => packageChecks(deps.store, now))));
  return toReport(results, now());
}
