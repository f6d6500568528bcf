// Check 1: `sf project convert source`, the strictest offline check the Salesforce CLI has.
// It fails on unknown type suffixes, a -meta.xml without its .cls, wrong child root tags, non-XML
// files and a broken sfdx-project.json; it silently accepts the defects metadata-validate catches.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runProcess } from '../process.js';
import { listFiles } from '../project.js';
import { sfBinary, sfEnvironment } from '../sf-env.js';
import { result, truncate, type Check, type CheckContext, type CheckResult, type Finding } from '../types.js';

interface SfJsonError {
  name?: string;
  message?: string;
  status?: number;
}

/** Turns the CLI's one error into a finding pointing at the file (and line) it names. */
function findingFrom(error: SfJsonError, projectDir: string): Finding {
  const message = (error.message ?? 'unknown error').replace(/\\n/g, '\n');
  const file = /(\/[^\s:'"]+\.(?:xml|cls|trigger|js|html|css|json))/.exec(message)?.[1];
  const line = Number(/line: (\d+)/.exec(message)?.[1] ?? 0);
  return {
    file: file ? path.relative(projectDir, file) : 'sfdx-project.json',
    line,
    col: line ? 1 : 0,
    message: truncate(
      `${error.name ?? 'Error'}: ${message.replace(file ?? '', '').replace(/^[:\s]+/, '')}`,
      300,
    ),
  };
}

export const metadataConvert: Check = {
  name: 'metadata-convert',
  description: 'sf project convert source (Salesforce CLI) converts the project to Metadata API format',
  async run(ctx) {
    // Not under <repo>/.tmp: the CLI finds <repo>/.forceignore upwards, and its built-in rule for
    // dot-paths (relative to that file) made it write an empty package.xml there. OS temp dir instead.
    const outputRoot = mkdtempSync(path.join(os.tmpdir(), 'fobridge-convert-'));
    const outputDir = path.join(outputRoot, 'mdapi');
    try {
      return await convert(ctx, outputDir);
    } finally {
      rmSync(outputRoot, { recursive: true, force: true });
    }
  },
};

async function convert(ctx: CheckContext, outputDir: string): Promise<CheckResult> {
  const run = await runProcess(
    sfBinary(ctx.repoRoot),
    ['project', 'convert', 'source', '--output-dir', outputDir, '--json'],
    {
      cwd: ctx.projectDir,
      env: sfEnvironment(ctx.repoRoot),
      timeoutMs: 120_000,
    },
  );
  if (run.spawnError) {
    return result([
      {
        file: 'node_modules/.bin/sf',
        line: 0,
        col: 0,
        message: `cannot run the Salesforce CLI: ${run.spawnError.message}`,
      },
    ]);
  }
  if (run.code !== 0) {
    let parsed: SfJsonError = { name: 'Error', message: `${run.stdout}\n${run.stderr}`.trim() };
    try {
      parsed = JSON.parse(run.stdout) as SfJsonError;
    } catch {
      // not JSON (crash before oclif's handler): keep the raw text
    }
    return result([findingFrom(parsed, ctx.projectDir)]);
  }
  // The CLI applies the nearest .forceignore found upwards plus a built-in rule for dot-paths relative
  // to it: a project nested in e.g. <repo>/.tmp/ converts to an empty package, exit 0. Fail instead.
  const converted = existsSync(outputDir) ? readdirSync(outputDir).filter((f) => f !== 'package.xml') : [];
  const sources = ctx.packageDirs.flatMap((d) => listFiles(d)).filter((f) => f.endsWith('-meta.xml'));
  if (converted.length === 0 && sources.length > 0) {
    return result([
      {
        file: path.relative(ctx.projectDir, sources[0]!),
        line: 0,
        col: 0,
        message: `converted nothing from ${sources.length} source files: all ignored (a .forceignore pattern, or a dot-folder between the project and a .forceignore above it)`,
      },
    ]);
  }
  return result([], [], [`${converted.length} metadata folders converted`]);
}
