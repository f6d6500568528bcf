import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { unzipSync } from 'fflate';
import {
  buildPackage,
  manifestXml,
  packageHeaderXml,
  utf16leWithBom,
} from '../../src/d365/dmf/package-builder.js';
import { ExportedPackage } from '../../src/d365/dmf/package-reader.js';
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

describe('reading an exported package', () => {
  const awkward = [
    { ItemNumber: ' RFI-TEST-001', SearchName: 'Chair, "large"', SalesPrice: 12.5 },
    { ItemNumber: 'KÄSE-ÜBER-ÅL-Ø', SearchName: 'line\r\nbreak', SalesPrice: 0 },
  ];
  const zip = buildPackage({
    definitionGroupId: 'FOBRIDGE-PRODUCTS',
    entity: {
      entityLabel: 'Released products V2',
      fields: ['ItemNumber', 'SearchName', 'SalesPrice'],
      rows: awkward,
    },
  });

  it("finds the entity's file through the manifest and returns the named fields exactly", () => {
    const rows = new ExportedPackage(zip).rows(['Released products V2'], ['SalesPrice', 'ItemNumber']);
    expect(rows).toEqual([
      { SalesPrice: '12.5', ItemNumber: ' RFI-TEST-001' },
      { SalesPrice: '0', ItemNumber: 'KÄSE-ÜBER-ÅL-Ø' },
    ]);
  });

  it('names the field to add to the export project when a column is missing', () => {
    expect(() => new ExportedPackage(zip).rows(['Released products V2'], ['ProductType'])).toThrow(
      "the exported 'Released products V2' has no column PRODUCTTYPE: add ProductType to the export project",
    );
    expect(() => new ExportedPackage(zip).rows(['Sales price agreements'], ['Price'])).toThrow(
      /no data file for 'Sales price agreements'/,
    );
    expect(() => new ExportedPackage(new Uint8Array([1, 2, 3]))).toThrow(/not a zip/);
  });
});
