// code-analyzer (Code Analyzer core + PMD engine): the clean project passes; SOQL injection, a
// CRUD/FLS violation and a class without a sharing declaration fail with file:line:col and rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  D,
  makeProject,
  removeProjects,
  runChecks,
  RUNS_TIMEOUT_MS,
  type RunOutput,
} from './support/sfdx-project.js';

const META = `<?xml version="1.0" encoding="UTF-8" ?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>62.0</apiVersion>
    <status>Active</status>
</ApexClass>
`;

const VIOLATIONS = {
  [`${D}/classes/AccountSearch.cls`]: `public class AccountSearch {
    public static List<Account> byName(String name) {
        return Database.query('SELECT Id FROM Account WHERE Name = \\'' + name + '\\'');
    }
}
`,
  [`${D}/classes/AccountSearch.cls-meta.xml`]: META,
  [`${D}/classes/AccountWriter.cls`]: `public with sharing class AccountWriter {
    public static void rename(Account account, String name) {
        account.Name = name;
        update account;
    }
}
`,
  [`${D}/classes/AccountWriter.cls-meta.xml`]: META,
};

let clean: RunOutput;
let broken: RunOutput;

beforeAll(async () => {
  [clean, broken] = await Promise.all([
    runChecks(makeProject(), ['code-analyzer']),
    runChecks(makeProject(VIOLATIONS), ['code-analyzer']),
  ]);
}, RUNS_TIMEOUT_MS);
afterAll(removeProjects);

describe('code-analyzer', () => {
  it('passes the clean project (user-mode SOQL, with sharing)', () => {
    expect(clean.status['code-analyzer']).toBe('PASS');
    expect(clean.code).toBe(0);
    expect(clean.errors).toEqual([]);
  });

  it('fails on SOQL injection with file:line:col and rule', () => {
    expect(broken.code).toBe(1);
    expect(broken.summary).toEqual({ passed: 0, failed: 1 });
    expect(broken.errors).toContainEqual(
      expect.stringMatching(
        new RegExp(`^${D}/classes/AccountSearch.cls:3:\\d+ pmd:ApexSOQLInjection sev 2 `),
      ),
    );
  });

  it('fails on DML without a CRUD/FLS check or user mode', () => {
    expect(broken.errors).toContainEqual(
      expect.stringMatching(new RegExp(`^${D}/classes/AccountWriter.cls:4:9 pmd:ApexCRUDViolation sev 2 `)),
    );
  });

  it('fails on a class with SOQL and no sharing declaration (raised to High)', () => {
    expect(broken.errors).toContainEqual(
      expect.stringMatching(
        new RegExp(`^${D}/classes/AccountSearch.cls:1:1 pmd:ApexSharingViolations sev 2 `),
      ),
    );
    expect(broken.errors.join('\n')).not.toMatch(/AccountWriter.cls:\d+:\d+ pmd:ApexSharingViolations/);
  });
});
