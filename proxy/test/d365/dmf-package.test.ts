import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { unzipSync } from 'fflate';
import {
  buildPackage,
  manifestXml,
  packageHeaderXml,
  utf16leWithBom,
} from '../../src/d365/dmf/package-builder.js';
import { recordedD365 } from '../../../test/support/recorded.js';

const SAMPLE = recordedD365('dmf/sample-package');

describe('DMF package', () => {
  it("PackageHeader.xml is byte-identical to Microsoft's sample (UTF-16 LE with BOM)", () => {
    const ours = utf16leWithBom(packageHeaderXml('Asset-Major-Types'));
    expect(Buffer.from(ours).equals(readFileSync(`${SAMPLE}/PackageHeader.utf16.xml`))).toBe(true);
  });

  it("Manifest.xml matches the sample's structure field for field", () => {
    const ours = manifestXml({
      definitionGroupId: 'Asset-Major-Types',
      entity: {
        entityLabel: 'Fixed asset major type',
        fields: ['Description', 'MajorTypeId'],
        rows: [],
        sourceFormat: 'EXCEL',
      },
    });
    const sample = readFileSync(`${SAMPLE}/Manifest.utf16.xml`).subarray(2).toString('utf16le');
    expect(ours).toBe(sample.replace('Fixed asset major type.xlsx', 'Fixed asset major type.csv'));
  });

  it('zips Manifest.xml, PackageHeader.xml and an escaped UTF-8 CSV', () => {
    const zip = buildPackage({
      definitionGroupId: 'FOB-Customers',
      entity: {
        entityLabel: 'Customers V3',
        fields: ['CustomerAccount', 'OrganizationName', 'AddressCity'],
        rows: [
          { CustomerAccount: 'C1', OrganizationName: 'O\'Brien & Søn, "Ltd"', AddressCity: 'Zürich' },
          { CustomerAccount: 'C2', OrganizationName: 'Line\nbreak', AddressCity: null },
        ],
      },
    });
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(['Customers V3.csv', 'Manifest.xml', 'PackageHeader.xml']);
    expect([...files['Manifest.xml']!.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    const manifest = Buffer.from(files['Manifest.xml']!.subarray(2)).toString('utf16le');
    expect(manifest).toContain('<EntityName>Customers V3</EntityName>');
    expect(manifest).toContain('<InputFilePath>Customers V3.csv</InputFilePath>');
    expect(manifest).toContain('<EntityField>ORGANIZATIONNAME</EntityField>');
    const csv = Buffer.from(files['Customers V3.csv']!).toString('utf8');
    expect(csv).toBe(
      '\uFEFFCUSTOMERACCOUNT,ORGANIZATIONNAME,ADDRESSCITY\r\nC1,"O\'Brien & Søn, ""Ltd""",Zürich\r\nC2,"Line\nbreak",\r\n',
    );
  });
});
