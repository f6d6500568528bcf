/** The report for people: one line per check, grouped, the fix indented under a failure. */
import { CHECK_GROUPS, type DoctorReport } from './report.js';

const MARK = { pass: 'ok  ', fail: 'FAIL', info: 'info' } as const;

export function renderReport(report: DoctorReport): string {
  const lines: string[] = [];
  for (const group of CHECK_GROUPS) {
    const rows = report.checks.filter((c) => c.group === group);
    if (rows.length === 0) continue;
    lines.push(group);
    for (const r of rows) {
      lines.push(`  ${MARK[r.status]}  ${r.verdict}`);
      if (r.status === 'fail' && r.fix) lines.push(`        fix: ${r.fix}`);
    }
  }
  const { pass, fail, info } = report.summary;
  lines.push('');
  lines.push(
    `${fail === 0 ? 'all checks pass' : `${fail} check(s) FAIL`} (${pass} ok, ${fail} failed, ${info} info)`,
  );
  return lines.join('\n');
}
