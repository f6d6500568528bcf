// The runner as CI uses it: every check over a project, one PASS/FAIL line each, the
// machine-readable summary line and the exit code.
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  D,
  makeProject,
  removeProjects,
  runChecks,
  RUNS_TIMEOUT_MS,
  type RunOutput,
} from './support/sfdx-project.js';

const ALL = [
  'metadata-convert',
  'metadata-validate',
  'apex-syntax',
  'apex-semantics',
  'code-analyzer',
  'lwc-eslint',
  'prettier',
];

let clean: RunOutput;
let noApex: RunOutput;
let underDotFolder: RunOutput;
let unknownCheck: RunOutput;

beforeAll(async () => {
  const withoutCode = makeProject({
    [`${D}/classes`]: null,
    [`${D}/triggers`]: null,
    [`${D}/lwc`]: null,
  });
  // A project nested below a dot-folder of a folder with a .forceignore (like <repo>/.tmp/x): the CLI
  // finds that .forceignore upwards and its default dot-path rule silently ignores every file.
  const outer = makeProject();
  writeFileSync(path.join(outer, '.forceignore'), '**/jsconfig.json\n');
  const hiddenProject = path.join(outer, '.hidden', 'project');
  cpSync(makeProject(), hiddenProject, { recursive: true });

  [clean, noApex, underDotFolder, unknownCheck] = await Promise.all([
    runChecks(makeProject()),
    runChecks(withoutCode, ['apex-syntax', 'apex-semantics', 'code-analyzer', 'lwc-eslint']),
    runChecks(hiddenProject, ['metadata-convert']),
    runChecks(makeProject(), ['apex-syntax', 'no-such-check']),
  ]);
}, RUNS_TIMEOUT_MS);
afterAll(removeProjects);

describe('salesforce-checks runner', () => {
  it('runs all seven checks on the clean project and reports them all passing', () => {
    expect(clean.stdout.match(/^(PASS|FAIL) \S+/gm)).toEqual(ALL.map((name) => `PASS ${name}`));
    expect(clean.stdout.trimEnd().split('\n').at(-1)).toBe('SALESFORCE-CHECKS {"passed":7,"failed":0}');
    expect(clean.code).toBe(0);
  });

  it('passes the Apex and LWC checks trivially when there is no code, and says so', () => {
    expect(noApex.summary).toEqual({ passed: 4, failed: 0 });
    expect(noApex.stdout).toMatch(/PASS apex-syntax .*: no Apex files/);
    expect(noApex.stdout).toMatch(/PASS apex-semantics .*: no Apex files/);
    expect(noApex.stdout).toMatch(/PASS code-analyzer .*: no Apex files/);
    expect(noApex.stdout).toMatch(/PASS lwc-eslint .*: no LWC JavaScript files/);
  });

  it('fails metadata-convert instead of passing an empty package when the CLI ignores every file', () => {
    expect(underDotFolder.code).toBe(1);
    expect(underDotFolder.errors.join('\n')).toContain('converted nothing');
  });

  it('refuses an unknown check name with exit code 2', () => {
    expect(unknownCheck.code).toBe(2);
    expect(unknownCheck.stdout).toContain('unknown check: no-such-check');
  });
});
