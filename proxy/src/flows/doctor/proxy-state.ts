/**
 * The proxy's own state: the store answers and takes a write, how many jobs wait and since
 * when, dead letters by error code, the F&O governor, and business-event keys.
 */
import type { D365Client } from '../../d365/index.js';
import type { Store } from '../../jobs/index.js';
import { checks, reason, type CheckResult } from './report.js';

const c = checks('proxy');

/** Jobs waiting longer than this mean the workers are stuck or an upstream is down. */
export const OLDEST_JOB_LIMIT_MS = 60 * 60_000;

export async function proxyChecks(
  store: Store,
  d365: D365Client | undefined,
  now: () => number,
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  try {
    await store.ping();
  } catch (err) {
    return [
      c.fail(
        'store',
        `the ${store.kind} store does not answer: ${reason(err)}`,
        'check STORE_URL and that the database is up (docs/jobs.md)',
      ),
    ];
  }
  try {
    const at = now();
    await store.ledgerPut('doctor', 'write-probe', { at }, { overwrite: true });
    const back = await store.ledgerGet<{ at: number }>('doctor', 'write-probe');
    if (back?.at !== at) throw new Error('the value written was not read back');
    out.push(c.pass('store', `${store.kind} store reachable and writable`));
  } catch (err) {
    out.push(
      c.fail(
        'store',
        `the ${store.kind} store answers but is not writable: ${reason(err)}`,
        store.kind === 'sqlite'
          ? 'make the STORE_URL file and its directory writable by the proxy, and check the disk is not full or mounted read-only'
          : 'point STORE_URL at the primary (not a read-only replica) with a role that may write, and check default_transaction_read_only',
      ),
    );
  }

  const stats = await store.stats();
  const count = (state: string) =>
    stats.counts.filter((s) => s.state === state).reduce((n, s) => n + s.count, 0);
  const oldest = stats.oldestQueued.reduce<number | undefined>(
    (m, o) => (m === undefined || o.createdAt < m ? o.createdAt : m),
    undefined,
  );
  const ageMs = oldest === undefined ? 0 : now() - oldest;
  const depth = `${count('queued')} queued, ${count('running')} running`;
  out.push(
    ageMs <= OLDEST_JOB_LIMIT_MS
      ? c.pass(
          'queue',
          `${depth}${oldest === undefined ? '' : `, oldest waiting ${Math.round(ageMs / 1000)} s`}`,
          {
            detail: {
              queued: count('queued'),
              running: count('running'),
              oldestAgeS: Math.round(ageMs / 1000),
            },
          },
        )
      : c.fail(
          'queue',
          `${depth}, oldest waiting ${Math.round(ageMs / 60_000)} min`,
          'see /readyz for an upstream that is down and the logs for the job worker; jobs resume by themselves once it answers',
          {
            detail: { queued: count('queued'), oldestAgeS: Math.round(ageMs / 1000) },
          },
        ),
  );

  const dead = count('dead');
  if (dead === 0) out.push(c.pass('deadLetters', 'no dead letters'));
  else {
    const byCode: Record<string, number> = {};
    const page = await store.listDeadLetters({}, { limit: 500 });
    for (const j of page.items)
      byCode[j.lastError?.code ?? 'UNKNOWN'] = (byCode[j.lastError?.code ?? 'UNKNOWN'] ?? 0) + 1;
    const codes = Object.entries(byCode)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    out.push(
      c.fail(
        'deadLetters',
        `${dead} dead letter(s): ${codes}`,
        'fo-bridge dead-letters list shows each with its reason; fix the cause, then replay or discard them (docs/runbook.md)',
        {
          detail: { total: dead, byCode },
        },
      ),
    );
  }

  if (d365) {
    const g = d365.governor.status();
    out.push(
      g.paused
        ? c.info(
            'governor',
            `F&O throttled: paused until ${new Date(g.pausedUntil).toISOString()} (work waits, nothing is lost)`,
            { detail: { ...g } },
          )
        : c.pass(
            'governor',
            `F&O governor: ${g.inFlight} in flight, concurrency ${g.limit} of ${g.maxConcurrency}, ${g.throttled} throttled so far`,
            { detail: { ...g } },
          ),
    );
  }
  out.push(
    c.info(
      'businessEvents',
      'business-event keys: not configured (this release receives no F&O business events)',
    ),
  );
  return out;
}
