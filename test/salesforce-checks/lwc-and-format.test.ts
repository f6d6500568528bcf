// lwc-eslint (repo eslint.config.js with the Salesforce LWC rules) and prettier (with the Apex
// plugin): the clean project passes; an LWC rule violation and unformatted Apex fail at file:line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  D,
  makeProject,
  removeProjects,
  runChecks,
  RUNS_TIMEOUT_MS,
  type RunOutput,
} from './support/sfdx-project.js';

const WIDGET = `${D}/lwc/inventoryWidget/inventoryWidget.js`;

const LINT_ERRORS = {
  [WIDGET]: `import { LightningElement, api } from 'lwc';

export default class InventoryWidget extends LightningElement {
  @api recordId;

  renderedCallback() {
    this.template.querySelector('p').innerHTML = '<b>unsafe</b>';
    this.recordId = null;
  }
}
`,
};

const UNFORMATTED = {
  // valid Apex, but on one line and without Prettier's spacing from line 2 on
  [`${D}/classes/InvoiceService.cls`]: `public with sharing class InvoiceService {
    public static Integer twice(Integer value){return value*2;}
}
`,
  [`${D}/lwc/inventoryWidget/inventoryWidget.html`]: `<template>
  <p>{title}</p>
</template>
`,
};

const UNPARSEABLE = {
  [`${D}/classes/InvoiceService.cls`]: `public with sharing class InvoiceService {
    Integer value = 42
}
`,
};

let clean: RunOutput;
let lint: RunOutput;
let format: RunOutput;
let unparseable: RunOutput;

beforeAll(async () => {
  [clean, lint, format, unparseable] = await Promise.all([
    runChecks(makeProject(), ['lwc-eslint', 'prettier']),
    runChecks(makeProject(LINT_ERRORS), ['lwc-eslint']),
    runChecks(makeProject(UNFORMATTED), ['prettier']),
    runChecks(makeProject(UNPARSEABLE), ['prettier']),
  ]);
}, RUNS_TIMEOUT_MS);
afterAll(removeProjects);

describe('lwc-eslint', () => {
  it('passes the clean project', () => {
    expect(clean.status['lwc-eslint']).toBe('PASS');
    expect(clean.stdout).toContain('1 LWC files linted');
  });

  it('fails on innerHTML and on reassigning an @api property, with file:line:col and rule', () => {
    expect(lint.code).toBe(1);
    expect(lint.summary).toEqual({ passed: 0, failed: 1 });
    expect(lint.errors).toContainEqual(
      expect.stringMatching(new RegExp(`^${WIDGET}:7:\\d+ @lwc/lwc/no-inner-html `)),
    );
    expect(lint.errors).toContainEqual(
      expect.stringMatching(new RegExp(`^${WIDGET}:8:\\d+ @lwc/lwc/no-api-reassignments `)),
    );
  });
});

describe('prettier', () => {
  it('passes the clean project', () => {
    expect(clean.status.prettier).toBe('PASS');
    expect(clean.summary).toEqual({ passed: 2, failed: 0 });
  });

  it('fails on unformatted Apex, pointing at the first line that differs', () => {
    expect(format.code).toBe(1);
    expect(format.errors).toEqual([
      `${D}/classes/InvoiceService.cls:2:1 not formatted with Prettier (run: npx prettier --write <file>)`,
    ]);
  });

  it('fails on Apex that Prettier cannot parse', () => {
    expect(unparseable.code).toBe(1);
    expect(unparseable.errors).toContainEqual(
      expect.stringMatching(
        new RegExp(`^${D}/classes/InvoiceService.cls:\\d+:\\d+ Prettier cannot parse it: `),
      ),
    );
  });
});
