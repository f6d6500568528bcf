// apex-syntax (apex-parser) and apex-semantics (apex-ls): the clean project passes; a syntax error
// and an unresolvable type or field fail with file:line:col.
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

const SYNTAX_ERRORS = {
  // missing `;` after 42: the parser reports it at the next token, `return` on line 4
  [`${D}/classes/Broken.cls`]: `public with sharing class Broken {
    public static Integer answer() {
        Integer value = 42
        return value;
    }
}
`,
  [`${D}/classes/Broken.cls-meta.xml`]: META,
  // a trigger is parsed with the trigger grammar: a missing `)` on line 1
  [`${D}/triggers/InvoiceTrigger.trigger`]: `trigger InvoiceTrigger on Invoice__c(before insert {
}
`,
};

const SEMANTIC_ERRORS = {
  [`${D}/classes/Resolver.cls`]: `public with sharing class Resolver {
    public static void run(Invoice__c invoice) {
        NoSuchType thing = null;
        invoice.No_Such_Field__c = 1;
    }
}
`,
  [`${D}/classes/Resolver.cls-meta.xml`]: META,
};

let clean: RunOutput;
let syntax: RunOutput;
let semantics: RunOutput;
let noJava: RunOutput;

beforeAll(async () => {
  [clean, syntax, semantics, noJava] = await Promise.all([
    runChecks(makeProject(), ['apex-syntax', 'apex-semantics']),
    runChecks(makeProject(SYNTAX_ERRORS), ['apex-syntax']),
    runChecks(makeProject(SEMANTIC_ERRORS), ['apex-semantics']),
    // no `java` on the PATH (the runner itself is started by absolute node path)
    runChecks(makeProject(), ['apex-semantics'], { ...process.env, PATH: '/nonexistent' }),
  ]);
}, RUNS_TIMEOUT_MS);
afterAll(removeProjects);

describe('apex-syntax', () => {
  it('passes the clean project', () => {
    expect(clean.status['apex-syntax']).toBe('PASS');
    expect(clean.stdout).toContain('2 Apex files parsed');
  });

  it('fails on a missing semicolon with file:line:col', () => {
    expect(syntax.code).toBe(1);
    expect(syntax.summary).toEqual({ passed: 0, failed: 1 });
    expect(syntax.errors).toContainEqual(
      expect.stringMatching(new RegExp(`^${D}/classes/Broken.cls:4:9 missing ';' at 'return'`)),
    );
  });

  it('parses triggers with the trigger grammar', () => {
    expect(syntax.errors).toContainEqual(
      expect.stringMatching(new RegExp(`^${D}/triggers/InvoiceTrigger.trigger:1:\\d+ `)),
    );
    expect(syntax.errors.every((e) => e.length < 300)).toBe(true); // ANTLR's token lists are truncated
  });
});

describe('apex-semantics', () => {
  it('passes the clean project (it resolves the project object and field)', () => {
    expect(clean.status['apex-semantics']).toBe('PASS');
    expect(clean.summary).toEqual({ passed: 2, failed: 0 });
  });

  it('fails on an unknown type with file:line:col', () => {
    expect(semantics.code).toBe(1);
    expect(semantics.errors).toContainEqual(
      expect.stringMatching(
        new RegExp(`^${D}/classes/Resolver.cls:3:\\d+ Missing: No type declaration found for 'NoSuchType'`),
      ),
    );
  });

  it('fails on an unknown custom field of a project object', () => {
    expect(semantics.errors).toContainEqual(
      expect.stringMatching(new RegExp(`^${D}/classes/Resolver.cls:4:\\d+ .*No_Such_Field__c`)),
    );
  });

  it('fails, pointing to scripts/setup, when java is missing', () => {
    expect(noJava.code).toBe(1);
    expect(noJava.status['apex-semantics']).toBe('FAIL');
    expect(noJava.errors.join('\n')).toContain('run scripts/setup');
  });
});
