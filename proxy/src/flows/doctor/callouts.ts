/**
 * The last authenticated callout from Salesforce (the Named Credential reached this proxy):
 * kind of credential, its scopes and when. The access hook calls `record` on every
 * authenticated non-admin request; the store is written at most once a minute (or when the
 * kind or scopes change), so the CLI in another process and other replicas see it too.
 * Nothing secret is kept: no token, no key, no subject.
 */
import type { Store } from '../../jobs/index.js';
import { checks, reason, type CheckResult } from './report.js';

export interface CalloutSeen {
  kind: 'salesforce' | 'dev-key';
  scopes: string[];
  at: number;
}

export interface CalloutPrincipal {
  kind: string;
  /** JWT scopes of a Salesforce credential. */
  scopes?: string[];
  /** What a development key grants (it has no scopes). */
  grants?: string[];
}

export interface CalloutRecorder {
  record(principal: CalloutPrincipal | undefined): void;
}

const NS = 'doctor';
const KEY = 'last-callout';
const WRITE_EVERY_MS = 60_000;

export function createCalloutRecorder(
  store: Pick<Store, 'ledgerPut'>,
  opts: { now?: () => number; onError?: (err: unknown) => void } = {},
): CalloutRecorder {
  const now = opts.now ?? Date.now;
  let written: CalloutSeen | undefined;
  return {
    record(principal) {
      if (!principal || (principal.kind !== 'salesforce' && principal.kind !== 'dev-key')) return;
      const seen: CalloutSeen = {
        kind: principal.kind,
        scopes: [...(principal.scopes ?? principal.grants ?? [])].sort(),
        at: now(),
      };
      const same =
        written && written.kind === seen.kind && written.scopes.join(' ') === seen.scopes.join(' ');
      if (same && seen.at - written!.at < WRITE_EVERY_MS) return;
      written = seen;
      // Fire and forget: recording must never slow down or fail the callout itself.
      store.ledgerPut(NS, KEY, seen, { overwrite: true }).catch((err: unknown) => opts.onError?.(err));
    },
  };
}

const c = checks('package');

export async function packageChecks(
  store: Pick<Store, 'ledgerGet'>,
  now: () => number,
): Promise<CheckResult[]> {
  let seen: CalloutSeen | undefined;
  try {
    seen = await store.ledgerGet<CalloutSeen>(NS, KEY);
  } catch (err) {
    return [c.fail('callout', `cannot read the last callout: ${reason(err)}`, 'see the proxy.store check')];
  }
  if (!seen)
    return [
      c.info('callout', 'no authenticated callout from Salesforce recorded yet', {
        fix: 'sync a record or open the inventory widget in Salesforce (any callout through the Named Credential, GET /v1/ping too, is recorded); if none shows, check the Named Credential URL and External Credential (docs/security.md)',
      }),
    ];
  const agoS = Math.round((now() - seen.at) / 1000);
  const scopes = seen.scopes.length ? ` scope ${seen.scopes.join(' ')}` : '';
  return [
    c.pass(
      'callout',
      `last authenticated callout: ${seen.kind}${scopes}, ${new Date(seen.at).toISOString()} (${agoS} s ago)`,
      {
        detail: { ...seen },
      },
    ),
  ];
}
