// Shapes shared by the offline Salesforce checks and their runner.

/** One problem, pointing at a place in a file (paths relative to the SFDX project root). */
export interface Finding {
  file: string;
  /** 1-based; 0 when the tool gives no position. */
  line: number;
  /** 1-based; 0 when the tool gives no position. */
  col: number;
  message: string;
  /** Tool rule id, when there is one (e.g. `pmd:ApexCRUDViolation`, `@lwc/lwc/no-inner-html`). */
  rule?: string;
}

export interface CheckResult {
  ok: boolean;
  /** Problems that make the check fail. */
  errors: Finding[];
  /** Problems shown but not failing (e.g. Moderate Code Analyzer violations, ESLint warnings). */
  warnings: Finding[];
  /** One-line remarks such as "no Apex files". */
  notes: string[];
}

export interface CheckContext {
  /** The repository holding node_modules and the shared tool configs (eslint, prettier). */
  repoRoot: string;
  /** The SFDX project being checked (holds sfdx-project.json). */
  projectDir: string;
  /** Absolute package directory paths from sfdx-project.json. */
  packageDirs: string[];
  /** Scratch space for tool output and logs: `<repo>/.tmp/salesforce-checks/<run>`. */
  scratchDir: string;
}

export interface Check {
  name: string;
  /** What a failure of this check means, for `--list` and the docs. */
  description: string;
  run(ctx: CheckContext): Promise<CheckResult>;
}

export function result(errors: Finding[], warnings: Finding[] = [], notes: string[] = []): CheckResult {
  return { ok: errors.length === 0, errors, warnings, notes };
}

/** Long tool messages (ANTLR's "expecting {…hundreds of tokens…}") are cut to stay readable. */
export function truncate(message: string, max = 200): string {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
