/**
 * What `doctor` reports: a list of checks, each with a one-line verdict and, when it fails, the
 * fix. `info` is neither good nor bad (something not configured yet, a number worth knowing);
 * only `fail` makes the report (and the CLI's exit code) fail.
 */
export const CHECK_GROUPS = ['configuration', 'entra', 'fno', 'salesforce', 'proxy', 'package'] as const;
export type CheckGroup = (typeof CHECK_GROUPS)[number];
export type CheckStatus = 'pass' | 'fail' | 'info';

export interface CheckResult {
  group: CheckGroup;
  /** Stable name, e.g. `salesforce.fls.Account`. */
  id: string;
  status: CheckStatus;
  /** One line for people. */
  verdict: string;
  /** What to do about it (always present on `fail`). */
  fix?: string;
  detail?: Record<string, unknown>;
}

export interface DoctorReport {
  ok: boolean;
  checkedAt: string;
  summary: Record<CheckStatus, number>;
  checks: CheckResult[];
}

type Extra = { detail?: Record<string, unknown> };

/** Builders one group uses for all its checks (`const c = checks('fno')`). */
export function checks(group: CheckGroup) {
  return {
    pass: (id: string, verdict: string, extra: Extra = {}): CheckResult => ({
      group,
      id: `${group}.${id}`,
      status: 'pass',
      verdict,
      ...extra,
    }),
    info: (id: string, verdict: string, extra: Extra & { fix?: string } = {}): CheckResult => ({
      group,
      id: `${group}.${id}`,
      status: 'info',
      verdict,
      ...extra,
    }),
    fail: (id: string, verdict: string, fix: string, extra: Extra = {}): CheckResult => ({
      group,
      id: `${group}.${id}`,
      status: 'fail',
      verdict,
      fix,
      ...extra,
    }),
  };
}

export function toReport(results: CheckResult[], now: number): DoctorReport {
  const summary = { pass: 0, fail: 0, info: 0 };
  for (const r of results) summary[r.status] += 1;
  return { ok: summary.fail === 0, checkedAt: new Date(now).toISOString(), summary, checks: results };
}

/** The first line of an error's message, for a verdict. */
export function reason(err: unknown): string {
  return ((err as Error)?.message ?? String(err)).split('\n')[0]!.slice(0, 300);
}
