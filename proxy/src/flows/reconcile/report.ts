/**
 * A reconciliation report: JSON for machines (this schema, also the admin route's answer) and a
 * table for people (`renderReport`).
 */
import { z } from 'zod';

export const FINDING_KINDS = [
  'missingInFno',
  'missingInSalesforce',
  'different',
  'wrongCompany',
  'pendingTooLong',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export const REPAIR_ACTIONS = ['reenqueue', 'runFlow', 'none'] as const;

export const Repair = z.object({
  action: z
    .enum(REPAIR_ACTIONS)
    .describe(
      'reenqueue: the record goes through its flow again; runFlow: the F&O → Salesforce flow runs for the company; none: a person decides',
    ),
  why: z.string(),
  applied: z.boolean().describe('true once done (a repair run that is not a dry run)'),
});

export const Finding = z.object({
  kind: z.enum(FINDING_KINDS),
  salesforceId: z.string().optional(),
  fnoKey: z.string().optional(),
  /** The company the Salesforce side says, and (wrong company) the one F&O holds it in. */
  company: z.string().optional(),
  fnoCompany: z.string().optional(),
  hash: z.object({ salesforce: z.string(), fno: z.string() }).optional(),
  fields: z.array(z.object({ field: z.string(), salesforce: z.string(), fno: z.string() })).optional(),
  detail: z.string(),
  repair: Repair,
});
export type Finding = z.infer<typeof Finding>;

export const PairCounts = z.object({
  salesforce: z.number().int().describe('records in scope on the Salesforce side'),
  fno: z.number().int().describe('rows in scope on the F&O side'),
  matched: z.number().int(),
  missingInFno: z.number().int(),
  missingInSalesforce: z.number().int(),
  different: z.number().int(),
  wrongCompany: z.number().int(),
  pendingTooLong: z.number().int(),
  unmappable: z.number().int().describe('Salesforce records the flow cannot map (compared by presence only)'),
});
export type PairCounts = z.infer<typeof PairCounts>;

export const PairReport = z.object({
  flow: z.string(),
  pair: z.string(),
  direction: z.enum(['salesforceToFno', 'fnoToSalesforce']),
  company: z.string().describe('dataAreaId, or * for records that name no company'),
  counts: PairCounts,
  findings: z
    .array(Finding)
    .describe('at most 200 per pair and company (truncated says when there were more); counts are complete'),
  truncated: z.boolean(),
});
export type PairReport = z.infer<typeof PairReport>;

export const ReconcileReport = z.object({
  id: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  trigger: z.enum(['schedule', 'admin', 'cli']),
  repair: z.boolean(),
  dryRun: z.boolean(),
  scope: z.object({ flows: z.array(z.string()), companies: z.array(z.string()) }),
  requests: z.object({
    fno: z.number().int().describe('F&O OData requests (pages)'),
    salesforce: z.number().int().describe('Salesforce query requests (pages of up to 2,000 records)'),
  }),
  ok: z.boolean().describe('true when nothing was found'),
  summary: z.record(z.enum(FINDING_KINDS), z.number().int()),
  repairs: z.object({ planned: z.number().int(), applied: z.number().int(), leftToPeople: z.number().int() }),
  notes: z.array(z.string()),
  pairs: z.array(PairReport),
});
export type ReconcileReport = z.infer<typeof ReconcileReport>;

/** The history index's line for one report. */
export const ReportSummary = ReconcileReport.pick({
  id: true,
  startedAt: true,
  finishedAt: true,
  trigger: true,
  repair: true,
  dryRun: true,
  ok: true,
  summary: true,
  repairs: true,
});
export type ReportSummary = z.infer<typeof ReportSummary>;

export const FINDINGS_SHOWN = 200;

const KIND_LABEL: Record<FindingKind, string> = {
  missingInFno: 'missing in F&O',
  missingInSalesforce: 'missing in Salesforce',
  different: 'different',
  wrongCompany: 'wrong company',
  pendingTooLong: 'Pending too long',
};

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === 0 || i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** The report for people: one line per pair and company, then each finding with its repair. */
export function renderReport(r: ReconcileReport): string {
  const mode = r.repair ? (r.dryRun ? 'repair, dry run: nothing changed' : 'repair') : 'report only';
  const lines = [
    `Reconciliation ${r.id} (${mode}) ${r.startedAt} → ${r.finishedAt}`,
    `Requests: F&O ${r.requests.fno}, Salesforce ${r.requests.salesforce}`,
    '',
    ...table([
      [
        'pair',
        'company',
        'Salesforce',
        'F&O',
        'matched',
        'missing F&O',
        'missing SF',
        'different',
        'wrong co.',
        'pending',
      ],
      ...r.pairs.map((p) => [
        p.pair,
        p.company,
        String(p.counts.salesforce),
        String(p.counts.fno),
        String(p.counts.matched),
        String(p.counts.missingInFno),
        String(p.counts.missingInSalesforce),
        String(p.counts.different),
        String(p.counts.wrongCompany),
        String(p.counts.pendingTooLong),
      ]),
    ]),
  ];
  const findings = r.pairs.flatMap((p) => p.findings.map((f) => ({ p, f })));
  if (findings.length > 0) lines.push('', 'Findings:');
  for (const { p, f } of findings) {
    const who = [f.salesforceId, f.fnoKey].filter(Boolean).join(' / ');
    const fields = f.fields?.length
      ? ` [${f.fields.map((d) => `${d.field}: "${d.salesforce}" ≠ F&O "${d.fno}"`).join('; ')}]`
      : '';
    const verb =
      f.repair.action === 'none' ? 'left to a person' : f.repair.applied ? 'repaired' : 'would repair';
    lines.push(
      `  ${KIND_LABEL[f.kind]}  ${p.flow} ${p.company}  ${who}  ${f.detail}${fields}`,
      `      ${verb} (${f.repair.action}): ${f.repair.why}`,
    );
  }
  for (const note of r.notes) lines.push(`Note: ${note}`);
  lines.push(
    '',
    r.ok
      ? 'Both systems agree.'
      : `Found: ${FINDING_KINDS.filter((k) => (r.summary[k] ?? 0) > 0)
          .map((k) => `${r.summary[k]} ${KIND_LABEL[k]}`)
          .join(
            ', ',
          )}. Repairs: ${r.repairs.applied} applied, ${r.repairs.planned - r.repairs.applied} planned, ${r.repairs.leftToPeople} left to people.`,
  );
  return lines.join('\n');
}
