// metadata-convert (Salesforce CLI) and metadata-validate (SDR resolver + strict XML): the clean
// project passes; each defect fails the check that exists to catch it, naming the file and line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  D,
  makeProject,
  removeProjects,
  runChecks,
  RUNS_TIMEOUT_MS,
  type RunOutput,
} from './support/sfdx-project.js';

const FIELD = `${D}/objects/Invoice__c/fields/Amount__c.field-meta.xml`;
const CLASS_META = `${D}/classes/InvoiceService.cls-meta.xml`;

// Every defect metadata-validate exists for, each in its own file of one project: the validator
// reports all of them in one run (each test below looks for its own finding).
const BROKEN = {
  // malformed: <label> never closed
  [FIELD]: `<?xml version="1.0" encoding="UTF-8" ?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Amount__c</fullName>
    <label>Amount
    <type>Currency</type>
</CustomField>
`,
  // wrong root element
  [`${D}/objects/Invoice__c/fields/Status__c.field-meta.xml`]: `<?xml version="1.0" encoding="UTF-8" ?>
<CustomFeld xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Status__c</fullName>
    <label>Status</label>
    <length>40</length>
    <type>Text</type>
</CustomFeld>
`,
  // class without -meta.xml
  [`${D}/classes/Orphan.cls`]: 'public with sharing class Orphan {\n}\n',
  // LWC bundle without js-meta.xml
  [`${D}/lwc/inventoryWidget/inventoryWidget.js-meta.xml`]: null,
  // custom object folder without its object file
  [`${D}/objects/Payment__c/fields/Paid__c.field-meta.xml`]: `<?xml version="1.0" encoding="UTF-8" ?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Paid__c</fullName>
    <defaultValue>false</defaultValue>
    <label>Paid</label>
    <type>Checkbox</type>
</CustomField>
`,
  // the same class twice
  [`${D}/classes/copy/InvoiceService.cls`]: 'public with sharing class InvoiceService {\n}\n',
  [`${D}/classes/copy/InvoiceService.cls-meta.xml`]: `<?xml version="1.0" encoding="UTF-8" ?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>62.0</apiVersion>
    <status>Active</status>
</ApexClass>
`,
};

const convertCases = {
  notXml: { [FIELD]: 'this is not xml\n' },
  unknownType: {
    [`${D}/widgets/Foo.widget-meta.xml`]: '<?xml version="1.0" encoding="UTF-8" ?>\n<Widget/>\n',
  },
  metaWithoutClass: { [`${D}/classes/InvoiceService.cls`]: null },
};

let clean: RunOutput;
let broken: RunOutput;
const convert = {} as Record<keyof typeof convertCases, RunOutput>;

beforeAll(async () => {
  await Promise.all([
    runChecks(makeProject(), ['metadata-convert', 'metadata-validate']).then((r) => (clean = r)),
    runChecks(makeProject(BROKEN), ['metadata-validate']).then((r) => (broken = r)),
    ...Object.entries(convertCases).map(async ([name, changes]) => {
      convert[name as keyof typeof convertCases] = await runChecks(makeProject(changes), [
        'metadata-convert',
      ]);
    }),
  ]);
}, RUNS_TIMEOUT_MS);
afterAll(removeProjects);

describe('metadata-validate', () => {
  it('passes the clean project', () => {
    expect(clean.status['metadata-validate']).toBe('PASS');
    expect(clean.summary).toEqual({ passed: 2, failed: 0 });
    expect(clean.code).toBe(0);
  });

  it('fails on malformed XML with file:line:col', () => {
    expect(broken.code).toBe(1);
    expect(broken.summary).toEqual({ passed: 0, failed: 1 });
    expect(broken.errors.join('\n')).toMatch(new RegExp(`^${FIELD}:6:\\d+ malformed XML`, 'm'));
  });

  it('fails on a class without -meta.xml', () => {
    expect(broken.errors).toContainEqual(
      expect.stringMatching(new RegExp(`^${D}/classes/Orphan.cls:0:0 .*missing Orphan.cls-meta.xml`)),
    );
  });

  it('fails on an LWC bundle without js-meta.xml', () => {
    expect(broken.errors.join('\n')).toMatch(
      new RegExp(
        `^${D}/lwc/inventoryWidget:0:0 LightningComponentBundle inventoryWidget has no meta file`,
        'm',
      ),
    );
  });

  it('fails on a custom object folder without its .object-meta.xml', () => {
    expect(broken.errors).toContainEqual(
      `${D}/objects/Payment__c:0:0 custom object folder has no Payment__c.object-meta.xml`,
    );
    // the complete Invoice__c folder is not reported
    expect(broken.errors.join('\n')).not.toContain('no Invoice__c.object-meta.xml');
  });

  it('fails on the same component twice', () => {
    expect(broken.errors.join('\n')).toMatch(
      new RegExp(
        `^${D}/classes/(copy/)?InvoiceService.cls-meta.xml:0:0 duplicate component ApexClass:InvoiceService`,
        'm',
      ),
    );
  });

  it('fails on a root element that is not the type name', () => {
    expect(broken.errors).toContainEqual(
      `${D}/objects/Invoice__c/fields/Status__c.field-meta.xml:1:1 root element <CustomFeld> should be <CustomField>`,
    );
  });
});

describe('metadata-convert', () => {
  it('passes the clean project and converts every folder', () => {
    expect(clean.stdout).toMatch(/PASS metadata-convert .*: 4 metadata folders converted/);
  });

  it('fails on a metadata file that is not XML, naming file and line', () => {
    expect(convert.notXml.code).toBe(1);
    expect(convert.notXml.summary).toEqual({ passed: 0, failed: 1 });
    expect(convert.notXml.errors.join('\n')).toMatch(new RegExp(`^${FIELD}:1:1 LibraryError`, 'm'));
  });

  it('fails on an unknown metadata type', () => {
    expect(convert.unknownType.errors.join('\n')).toMatch(
      new RegExp(
        `^${D}/widgets/Foo.widget-meta.xml:0:0 TypeInferenceError: .*Could not infer a metadata type`,
        'm',
      ),
    );
  });

  it('fails on a -meta.xml whose class is missing', () => {
    expect(convert.metaWithoutClass.errors.join('\n')).toMatch(
      new RegExp(`^${CLASS_META}:0:0 ExpectedSourceFilesError`, 'm'),
    );
  });
});
