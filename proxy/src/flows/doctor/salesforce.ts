/**
 * Salesforce checks: JWT login as the integration user, the API version answers, the daily API
 * requests left against the floor background work stops at, and the integration user's
 * field-level security on every field the flows read or write. A field it may not read is
 * simply missing from query results — data is lost without an error — so each such field is
 * named.
 */
import type { SalesforceClient } from '../../salesforce/index.js';
import { flowFieldUse, type FieldUse } from './flow-fields.js';
import { checks, reason, type CheckResult } from './report.js';

const c = checks('salesforce');

/** The package's platform-event trigger, whose running user decides what it may do. */
const TRIGGER = 'D365SyncRequestTrigger';

export async function salesforceChecks(
  sf: SalesforceClient | undefined,
  opts: { apiVersion: string; floorPct: number; fields?: FieldUse[] },
): Promise<CheckResult[]> {
  if (!sf) return [c.info('login', 'skipped: Salesforce is not configured')];
  const out: CheckResult[] = [];
  try {
    const who = await sf.identity();
    out.push(c.pass('login', `JWT login as the integration user (${who.userId}) at ${who.instanceUrl}`));
  } catch (err) {
    return [
      c.fail(
        'login',
        `JWT login failed: ${reason(err)}`,
        'check SF_LOGIN_URL, SF_CLIENT_ID and SF_USERNAME, that the certificate of SF_PRIVATE_KEY is on the connected app and the user is pre-authorised (docs/salesforce-client.md)',
      ),
    ];
  }
  try {
    const limits = await sf.limits();
    out.push(c.pass('apiVersion', `API version ${opts.apiVersion} answers`));
    const daily = limits.DailyApiRequests;
    if (daily) {
      const pct = daily.Max > 0 ? Math.floor((daily.Remaining / daily.Max) * 100) : 0;
      const verdict = `${daily.Remaining} of ${daily.Max} daily API requests left (${pct}%, floor ${opts.floorPct}%)`;
      out.push(
        pct >= opts.floorPct
          ? c.pass('apiRequests', verdict, { detail: { ...daily, floorPct: opts.floorPct } })
          : c.fail(
              'apiRequests',
              `${verdict}: background work (sweep, bulk) is paused`,
              'wait for the 24-hour window to roll, find what spends the requests, or lower SF_API_FLOOR_PCT',
              {
                detail: { ...daily, floorPct: opts.floorPct },
              },
            ),
      );
    }
  } catch (err) {
    out.push(
      c.fail(
        'apiVersion',
        `API version ${opts.apiVersion} does not answer: ${reason(err)}`,
        'set SF_API_VERSION to a version the org supports (GET /services/data lists them)',
      ),
    );
  }
  for (const use of opts.fields ?? flowFieldUse()) out.push(await fieldAccess(sf, use));
  out.push(
    c.info(
      'triggerUser',
      `running user of ${TRIGGER}: not checked (PlatformEventSubscriberConfig is a Tooling API object the proxy's client does not read)`,
      {
        fix: `check it with: sf data query --use-tooling-api -q "SELECT UserId, PlatformEventConsumerId FROM PlatformEventSubscriberConfig"`,
      },
    ),
  );
  return out;
}

interface DescribedField {
  name: string;
  updateable?: boolean;
}

async function fieldAccess(sf: SalesforceClient, use: FieldUse): Promise<CheckResult> {
  const id = `fls.${use.object}`;
  let fields: DescribedField[];
  try {
    fields = ((await sf.describe(use.object)).fields ?? []) as DescribedField[];
  } catch (err) {
    return c.fail(
      id,
      `${use.object}: describe failed: ${reason(err)}`,
      `give the integration user read access to ${use.object} (permission set D365_Bridge_Integration)`,
    );
  }
  // Describe names are org names (namespace applied); the lists use package names.
  const byName = new Map(fields.map((f) => [f.name.toLowerCase(), f]));
  const unreadable = use.read.filter((f) => !byName.has(sf.sfName(f).toLowerCase()));
  const notUpdateable = use.write.filter((f) => {
    const d = byName.get(sf.sfName(f).toLowerCase());
    return d !== undefined && d.updateable !== true;
  });
  if (unreadable.length === 0 && notUpdateable.length === 0)
    return c.pass(
      id,
      `${use.object}: the integration user can read ${use.read.length} and update ${use.write.length} field(s) the flows use`,
    );
  const parts = [
    ...unreadable.map((f) => `${use.object}.${f} missing or not readable`),
    ...notUpdateable.map((f) => `${use.object}.${f} not updateable`),
  ];
  const grant = (fields: string[], access: string) =>
    fields.length ? [`${access} on ${fields.map((f) => `${use.object}.${f}`).join(', ')}`] : [];
  const editable = new Set(use.write);
  return c.fail(
    id,
    parts.join('; '),
    `grant the integration user ${[
      ...grant(
        unreadable.filter((f) => !editable.has(f)),
        'read access',
      ),
      ...grant([...unreadable.filter((f) => editable.has(f)), ...notUpdateable], 'read and edit access'),
    ].join(' and ')} (permission set D365_Bridge_Integration, field permissions)`,
    { detail: { unreadable, notUpdateable } },
  );
}
