// A minimal SFDX project written to a temp dir (a class, a trigger, an object with a field and an
// LWC bundle), copies of it with one defect each, and a way to run the check runner over them.
// Temp projects live in the OS temp dir, not <repo>/.tmp: the Salesforce CLI ignores every path
// below a dot-folder.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const runner = path.join(repoRoot, 'scripts', 'lib', 'salesforce-checks', 'run.ts');
const tsxCli = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export const D = 'force-app/main/default';

const meta = (type: string, extra = ''): string =>
  `<?xml version="1.0" encoding="UTF-8" ?>\n<${type} xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>62.0</apiVersion>\n${extra}</${type}>\n`;

export const CLEAN_FILES: Record<string, string> = {
  'sfdx-project.json': JSON.stringify(
    {
      packageDirectories: [
        { path: 'force-app', default: true, package: 'FO Bridge', versionNumber: '0.1.0.NEXT' },
      ],
      namespace: '',
      sourceApiVersion: '62.0',
    },
    null,
    2,
  ),
  [`${D}/classes/InvoiceService.cls`]: `public with sharing class InvoiceService {
    public static List<Invoice__c> findByAmount(Decimal minimum) {
        return [SELECT Id, Amount__c FROM Invoice__c WHERE Amount__c >= :minimum WITH USER_MODE];
    }
}
`,
  [`${D}/classes/InvoiceService.cls-meta.xml`]: meta('ApexClass', '    <status>Active</status>\n'),
  [`${D}/triggers/InvoiceTrigger.trigger`]: `trigger InvoiceTrigger on Invoice__c(before insert) {
    for (Invoice__c invoice : Trigger.new) {
        invoice.Amount__c = invoice.Amount__c == null ? 0 : invoice.Amount__c;
    }
}
`,
  [`${D}/triggers/InvoiceTrigger.trigger-meta.xml`]: meta('ApexTrigger', '    <status>Active</status>\n'),
  [`${D}/objects/Invoice__c/Invoice__c.object-meta.xml`]: `<?xml version="1.0" encoding="UTF-8" ?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <deploymentStatus>Deployed</deploymentStatus>
    <label>Invoice</label>
    <nameField>
        <label>Invoice Number</label>
        <type>Text</type>
    </nameField>
    <pluralLabel>Invoices</pluralLabel>
    <sharingModel>ReadWrite</sharingModel>
</CustomObject>
`,
  [`${D}/objects/Invoice__c/fields/Amount__c.field-meta.xml`]: `<?xml version="1.0" encoding="UTF-8" ?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Amount__c</fullName>
    <label>Amount</label>
    <precision>16</precision>
    <scale>2</scale>
    <type>Currency</type>
</CustomField>
`,
  [`${D}/lwc/inventoryWidget/inventoryWidget.js`]: `import { LightningElement, api } from 'lwc';

export default class InventoryWidget extends LightningElement {
  @api recordId;

  get title() {
    return \`Inventory for \${this.recordId}\`;
  }
}
`,
  [`${D}/lwc/inventoryWidget/inventoryWidget.html`]: `<template>
  <p>{title}</p>
</template>
`,
  [`${D}/lwc/inventoryWidget/inventoryWidget.js-meta.xml`]: meta(
    'LightningComponentBundle',
    '    <isExposed>true</isExposed>\n    <targets>\n        <target>lightning__RecordPage</target>\n    </targets>\n',
  ),
};

/** Writes files (null deletes) into `dir`. */
function apply(dir: string, files: Record<string, string | null>): void {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(dir, relative);
    if (content === null) rmSync(file, { recursive: true, force: true });
    else {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
  }
}

const made: string[] = [];

/** For the hooks that start the runs: Java and the CLI are slow on a busy 2-core machine. */
export const RUNS_TIMEOUT_MS = 180_000;

// At most two runner processes at a time per test file: each may start the CLI or a JVM.
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await work();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

/** The clean project, or a copy of it with `changes` applied (a path → content, or null to delete). */
export function makeProject(changes: Record<string, string | null> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fobridge-sfdx-'));
  made.push(dir);
  apply(dir, CLEAN_FILES);
  apply(dir, changes);
  return dir;
}

export function removeProjects(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface RunOutput {
  code: number;
  stdout: string;
  /** The parsed `SALESFORCE-CHECKS {...}` line. */
  summary: { passed: number; failed: number } | undefined;
  /** PASS/FAIL per check name. */
  status: Record<string, 'PASS' | 'FAIL'>;
  /** `error file:line:col …` lines. */
  errors: string[];
}

export function runChecks(
  dir: string,
  only: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunOutput> {
  return slot(() => runOnce(dir, only, env));
}

function runOnce(dir: string, only: string[], env: NodeJS.ProcessEnv): Promise<RunOutput> {
  const args = [tsxCli, runner, '--dir', dir, ...(only.length > 0 ? ['--only', only.join(',')] : [])];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: repoRoot, env, timeout: RUNS_TIMEOUT_MS },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        const summaryLine = stdout.split('\n').find((l) => l.startsWith('SALESFORCE-CHECKS '));
        const status: Record<string, 'PASS' | 'FAIL'> = {};
        for (const m of stdout.matchAll(/^(PASS|FAIL) (\S+)/gm)) status[m[2]!] = m[1] as 'PASS' | 'FAIL';
        resolve({
          code,
          stdout: stdout + stderr,
          summary: summaryLine
            ? (JSON.parse(summaryLine.slice('SALESFORCE-CHECKS '.length)) as RunOutput['summary'])
            : undefined,
          status,
          errors: stdout
            .split('\n')
            .filter((l) => l.trimStart().startsWith('error '))
            .map((l) => l.trim().slice('error '.length)),
        });
      },
    );
  });
}
