// Check 5: Salesforce Code Analyzer v5 core with its PMD engine (the CLI plugin cannot be installed
// offline) over the Apex, with the rules in code-analyzer-rules.ts.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  CodeAnalyzer,
  CodeAnalyzerConfig,
  EventType,
  LogLevel,
  type EngineLogEvent,
  type LogEvent,
} from '@salesforce/code-analyzer-core';
import { createEnginePlugin } from '@salesforce/code-analyzer-pmd-engine';
import { isApex, sourceFiles } from '../project.js';
import { result, truncate, type Check, type Finding } from '../types.js';
import {
  BEST_PRACTICE_RULES,
  FAIL_AT_SEVERITY,
  RAISED_TO_HIGH,
  SECURITY_RULES,
} from './code-analyzer-rules.js';

export const codeAnalyzer: Check = {
  name: 'code-analyzer',
  description: `Code Analyzer (PMD) security and best-practice rules on Apex; fails on severity ≤ ${FAIL_AT_SEVERITY} (High/Critical)`,
  async run(ctx) {
    const files = sourceFiles(ctx.packageDirs, isApex);
    if (files.length === 0) return result([], [], ['no Apex files']);

    const logFolder = path.join(ctx.scratchDir, 'code-analyzer');
    mkdirSync(logFolder, { recursive: true });
    const config = CodeAnalyzerConfig.fromObject({
      config_root: ctx.projectDir,
      log_folder: logFolder, // default is the OS temp dir
      // Apex only (skips describing the Visualforce/XML/JS rule sets); no copy-paste detection.
      engines: { pmd: { rule_languages: ['apex'] }, cpd: { disable_engine: true } },
      rules: { pmd: Object.fromEntries(RAISED_TO_HIGH.map((name) => [name, { severity: 2 }])) },
    });
    const analyzer = new CodeAnalyzer(config);
    const engineErrors: string[] = [];
    analyzer.onEvent(EventType.LogEvent, (event: LogEvent) => {
      if (event.logLevel <= LogLevel.Error) engineErrors.push(event.message);
    });
    analyzer.onEvent(EventType.EngineLogEvent, (event: EngineLogEvent) => {
      if (event.logLevel <= LogLevel.Error) engineErrors.push(`${event.engineName}: ${event.message}`);
    });
    await analyzer.addEnginePlugin(createEnginePlugin());

    const workspace = await analyzer.createWorkspace(files);
    const selectors = [...SECURITY_RULES, ...BEST_PRACTICE_RULES].map((name) => `pmd:${name}`);
    const selection = await analyzer.selectRules(selectors, { workspace });
    if (selection.getCount() === 0) {
      // The PMD engine is dropped when Java is missing or unusable.
      const why = engineErrors.join(' | ') || 'no rules selected';
      return result([
        {
          file: '(code-analyzer)',
          line: 0,
          col: 0,
          message: truncate(`PMD engine unavailable (${why}); run scripts/setup (Java 17)`, 400),
        },
      ]);
    }
    const run = await analyzer.run(selection, { workspace });

    const errors: Finding[] = [];
    const warnings: Finding[] = [];
    for (const violation of run.getViolations()) {
      const rule = violation.getRule();
      const location = violation.getCodeLocations()[violation.getPrimaryLocationIndex()];
      const finding: Finding = {
        file: location?.getFile() ? path.relative(ctx.projectDir, location.getFile()!) : '(unknown)',
        line: location?.getStartLine() ?? 0,
        col: location?.getStartColumn() ?? 0,
        rule: `pmd:${rule.getName()}`,
        message: `sev ${rule.getSeverityLevel()} ${truncate(violation.getMessage())}`,
      };
      (rule.getSeverityLevel() <= FAIL_AT_SEVERITY ? errors : warnings).push(finding);
    }
    // An engine error during the run means some files went unchecked: never report that as clean.
    for (const message of engineErrors) {
      errors.push({ file: '(code-analyzer)', line: 0, col: 0, message: truncate(message, 400) });
    }
    return result(errors, warnings, [`${selection.getCount()} rules on ${files.length} Apex files`]);
  },
};
