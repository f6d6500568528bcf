// Check 4: apex-ls CheckForIssues (bundled with the Code Analyzer PMD engine) resolves types, methods,
// custom fields and SObjects across the project's classes, triggers and object metadata.
// Misses (apex-ls): unknown fields in a SOQL SELECT list, fields through relationships,
// unknown standard fields.
import path from 'node:path';
import { runProcess } from '../process.js';
import { isApex, sourceFiles } from '../project.js';
import { result, truncate, type Check, type Finding } from '../types.js';

interface ApexLsReport {
  files: {
    path: string;
    messages: { start: { line: number; offset: number }; category: string; message: string }[];
  }[];
}

export const javaClassPath = (repoRoot: string): string =>
  path.join(repoRoot, 'node_modules', '@salesforce', 'code-analyzer-pmd-engine', 'dist', 'java-lib', '*');

export const apexSemantics: Check = {
  name: 'apex-semantics',
  description:
    'apex-ls CheckForIssues: unknown types, methods, fields and SObjects, wrong argument types (needs Java 17)',
  async run(ctx) {
    const files = sourceFiles(ctx.packageDirs, isApex);
    if (files.length === 0) return result([], [], ['no Apex files']);
    const run = await runProcess(
      'java',
      [
        '-cp',
        javaClassPath(ctx.repoRoot),
        'io.github.apexdevtools.apexls.CheckForIssues',
        '-n',
        '-f',
        'json',
        '-w',
        ctx.projectDir,
      ],
      { cwd: ctx.projectDir, timeoutMs: 120_000 },
    );
    if (run.spawnError) {
      return result([
        {
          file: '(java)',
          line: 0,
          col: 0,
          message: 'java not found: run scripts/setup (installs Java 17) and retry',
        },
      ]);
    }
    if (run.code === 0) return result([], [], [`${files.length} Apex files resolved`]);

    const errors: Finding[] = [];
    try {
      const report = JSON.parse(run.stdout) as ApexLsReport;
      for (const file of report.files) {
        for (const m of file.messages) {
          errors.push({
            file: path.relative(ctx.projectDir, file.path),
            line: m.start.line,
            col: m.start.offset + 1, // apex-ls offsets are 0-based
            message: truncate(`${m.category}: ${m.message}`, 300),
          });
        }
      }
    } catch {
      // not JSON: usage error or a JVM failure; show what it said
    }
    if (errors.length === 0) {
      errors.push({
        file: '(apex-ls)',
        line: 0,
        col: 0,
        message: truncate(`exit ${run.code}: ${run.stdout} ${run.stderr}`, 500),
      });
    }
    return result(errors);
  },
};
