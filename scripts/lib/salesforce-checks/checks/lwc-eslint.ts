// Check 6: ESLint with the repo's flat config (eslint.config.js: @salesforce/eslint-config-lwc
// recommended on force-app/**/lwc/**/*.js, Jest rules on __tests__) over every LWC JavaScript file.
import path from 'node:path';
import { ESLint } from 'eslint';
import { sourceFiles } from '../project.js';
import { result, truncate, type Check, type Finding } from '../types.js';

const isLwcJs = (f: string): boolean => f.endsWith('.js') && f.split(path.sep).includes('lwc');

export const lwcEslint: Check = {
  name: 'lwc-eslint',
  description: 'ESLint with @salesforce/eslint-config-lwc (repo eslint.config.js) over force-app/**/lwc',
  async run(ctx) {
    const files = sourceFiles(ctx.packageDirs, isLwcJs);
    if (files.length === 0) return result([], [], ['no LWC JavaScript files']);
    // cwd = the project so the config's `force-app/**` globs match a temp project too.
    const eslint = new ESLint({
      cwd: ctx.projectDir,
      overrideConfigFile: path.join(ctx.repoRoot, 'eslint.config.js'),
      errorOnUnmatchedPattern: false,
    });
    const errors: Finding[] = [];
    const warnings: Finding[] = [];
    let linted = 0;
    for (const report of await eslint.lintFiles(files)) {
      // A file the config ignores comes back with one "File ignored…" warning, shown as such.
      linted += 1;
      for (const m of report.messages) {
        const finding: Finding = {
          file: path.relative(ctx.projectDir, report.filePath),
          line: m.line ?? 0,
          col: m.column ?? 0,
          message: truncate(m.message),
          ...(m.ruleId ? { rule: m.ruleId } : {}),
        };
        (m.severity === 2 || m.fatal ? errors : warnings).push(finding);
      }
    }
    return result(errors, warnings, [`${linted} LWC files linted`]);
  },
};
