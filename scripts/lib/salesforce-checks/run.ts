// Runs every offline Salesforce check over an SFDX project and reports PASS/FAIL per check, each
// problem as `file:line:col`, then one machine-readable line:
//   SALESFORCE-CHECKS {"passed":N,"failed":M}
// Exit code 1 when any check failed, 2 on bad usage.
//
//   npx tsx scripts/lib/salesforce-checks/run.ts [--dir <sfdx project root>] [--only name[,name]] [--list]
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CHECKS } from './checks/index.js';
import { readSfdxProject } from './project.js';
import type { CheckContext, CheckResult, Finding } from './types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function usage(message: string): never {
  console.error(
    `${message}\nusage: run.ts [--dir <sfdx project root>] [--only ${CHECKS.map((c) => c.name).join(',')}] [--list]`,
  );
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    only: { type: 'string', multiple: true },
    list: { type: 'boolean' },
  },
});

if (values.list) {
  for (const entry of CHECKS) console.log(`${entry.name}: ${(await entry.load()).description}`);
  process.exit(0);
}

const wanted = (values.only ?? []).flatMap((v) => v.split(',')).filter(Boolean);
const unknown = wanted.filter((name) => !CHECKS.some((c) => c.name === name));
if (unknown.length > 0) usage(`unknown check: ${unknown.join(', ')}`);
const selected = wanted.length > 0 ? CHECKS.filter((c) => wanted.includes(c.name)) : CHECKS;

const projectDir = path.resolve(values.dir ?? repoRoot);
let packageDirs: string[];
try {
  packageDirs = readSfdxProject(projectDir).packageDirs;
} catch (error) {
  usage(`cannot read the SFDX project: ${(error as Error).message}`);
}
// One scratch folder per run so concurrent runs (tests) do not share tool output.
const scratchDir = path.join(repoRoot, '.tmp', 'salesforce-checks', `run-${process.pid}-${Date.now()}`);
mkdirSync(scratchDir, { recursive: true });
const ctx: CheckContext = { repoRoot, projectDir, packageDirs, scratchDir };

const format = (kind: string, f: Finding): string =>
  `  ${kind} ${f.file}:${f.line}:${f.col} ${f.rule ? `${f.rule} ` : ''}${f.message}`;

// Independent checks run concurrently: the CLI and Java ones wait on child processes while the
// in-process ones (parser, resolver, ESLint, Prettier) use the event loop.
const started = Date.now();
const outcomes = await Promise.all(
  selected.map(async (entry) => {
    const t0 = Date.now();
    let outcome: CheckResult;
    try {
      outcome = await (await entry.load()).run(ctx);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      outcome = {
        ok: false,
        errors: [{ file: '(check)', line: 0, col: 0, message: `crashed: ${message}` }],
        warnings: [],
        notes: [],
      };
    }
    return { name: entry.name, outcome, seconds: (Date.now() - t0) / 1000 };
  }),
);

for (const { name, outcome, seconds } of outcomes) {
  const notes = outcome.notes.length > 0 ? `: ${outcome.notes.join('; ')}` : '';
  console.log(`${outcome.ok ? 'PASS' : 'FAIL'} ${name} (${seconds.toFixed(1)} s)${notes}`);
  for (const f of outcome.errors) console.log(format('error', f));
  for (const f of outcome.warnings) console.log(format('warn ', f));
}
rmSync(scratchDir, { recursive: true, force: true });

const passed = outcomes.filter((o) => o.outcome.ok).length;
const failed = outcomes.length - passed;
console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
console.log(`SALESFORCE-CHECKS ${JSON.stringify({ passed, failed })}`);
process.exitCode = failed > 0 ? 1 : 0;
