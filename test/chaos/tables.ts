/**
 * The matrix's results as Markdown, written between marker comments into docs/reliability.md
 * (every row) and the README (a summary) by `npm run chaos -- --write-docs`.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface TableRow {
  fault: string;
  passed: boolean;
  records: number;
  inFoOnce: number;
  writtenBack: number;
  deadLetters: number;
  duplicates: number;
  lost: number;
  recoveryS: number;
  foRequestsPerRecord: number;
  /** Invoices F&O posted in the row, and how many are one `Invoice__c` each. */
  invoices: { posted: number; once: number };
  problems: string[];
  notes: string[];
  deadLetterCodes: Record<string, number>;
}

export function markdownTable(rows: TableRow[]): string {
  const head =
    '| fault | records | in F&O once | written back | dead letters | duplicates | lost | recovery s | F&O requests / record | invoices once | result |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|';
  const body = rows.map((r) => {
    const said = [
      ...r.problems.map((p) => p.replace(/\|/g, '/').slice(0, 200)),
      ...r.notes,
      ...Object.entries(r.deadLetterCodes).map(([c, n]) => `${n} dead: \`${c}\``),
    ];
    return `| ${r.fault} | ${r.records} | ${r.inFoOnce} | ${r.writtenBack} | ${r.deadLetters} | ${r.duplicates} | ${r.lost} | ${r.recoveryS < 0 ? 'waits' : r.recoveryS} | ${r.foRequestsPerRecord} | ${r.invoices.once}/${r.invoices.posted} | ${r.passed ? 'pass' : '**FAIL**'}${said.length ? `: ${said.join('; ')}` : ''} |`;
  });
  return [head, ...body].join('\n');
}

/** Replaces what is between `<!-- name:start -->` and `<!-- name:end -->` in `file`. */
export function writeBetweenMarkers(file: string, name: string, text: string): void {
  const s = readFileSync(file, 'utf8');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const a = s.indexOf(start);
  const b = s.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${file} has no ${name} markers`);
  writeFileSync(file, `${s.slice(0, a + start.length)}\n${text}\n${s.slice(b)}`);
}
