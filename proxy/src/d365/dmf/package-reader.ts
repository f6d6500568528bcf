/**
 * Reading an exported data package (docs/d365-client.md §5; the format package-builder.ts
 * writes): a zip with `Manifest.xml` (UTF-16 LE with BOM, or UTF-8) naming each entity and its
 * data file, and one CSV per entity with a header row of staging field names (upper case for the
 * standard entities).
 *
 * Assumptions (not confirmed on a real export; see docs/d365-client.md): CSV with a header row,
 * comma, `"` qualifier, UTF-8 (with or without BOM). The manifest is read with two patterns rather
 * than an XML parser: F&O writes it, one `DataManagementPackageEntityData` per entity; should it
 * name no file, the data file is found by the entity's label (`<label>.csv`).
 */
import { parse } from 'csv-parse/sync';
import { unzipSync } from 'fflate';
import { D365ProtocolError } from '../errors.js';
import { stagingName } from './package-builder.js';

/** One entity's rows, keyed by staging field name as the file's header writes it. */
export type PackageRows = Array<Record<string, string>>;

function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return Buffer.from(bytes.subarray(2)).toString('utf16le');
  const text = Buffer.from(bytes).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

const unescapeXml = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** Entity name (lower case) → data file, from the manifest. */
function manifestFiles(xml: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [, block = ''] of xml.matchAll(
    /<DataManagementPackageEntityData>([\s\S]*?)<\/DataManagementPackageEntityData>/g,
  )) {
    const name = /<EntityName>([^<]*)<\/EntityName>/.exec(block)?.[1];
    const file = /<InputFilePath>([^<]*)<\/InputFilePath>/.exec(block)?.[1];
    if (name && file) out.set(unescapeXml(name).trim().toLowerCase(), unescapeXml(file).trim());
  }
  return out;
}

export class ExportedPackage {
  private readonly files: Map<string, Uint8Array>;
  private readonly byEntity: Map<string, string>;

  constructor(zip: Uint8Array) {
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(zip);
    } catch (err) {
      throw new D365ProtocolError(`the exported package is not a zip: ${(err as Error).message}`);
    }
    this.files = new Map(Object.entries(entries).map(([k, v]) => [k.toLowerCase(), v]));
    const manifest = this.files.get('manifest.xml');
    this.byEntity = manifest ? manifestFiles(decodeText(manifest)) : new Map();
  }

  /**
   * The rows of the entity with one of `names` (its label first, e.g. `Released products V2`),
   * with the values of `fields` (OData names; a column the file lacks is an error, since the
   * export project is then not configured as the flow needs).
   */
  rows<F extends string>(names: readonly string[], fields: readonly F[]): Array<Record<F, string>> {
    const file =
      names.map((n) => this.byEntity.get(n.toLowerCase())).find(Boolean) ?? `${names[0] ?? ''}.csv`;
    const data = this.files.get(file.toLowerCase());
    if (!data)
      throw new D365ProtocolError(`the exported package has no data file for '${names[0]}' (${file})`);
    const [header = [], ...records] = parse(Buffer.from(data), {
      bom: true,
      relax_column_count: false,
      skip_empty_lines: true,
    }) as string[][];
    const column = new Map(header.map((h, i) => [h.trim().toUpperCase(), i]));
    const index = fields.map((f) => {
      const i = column.get(stagingName(f).toUpperCase());
      if (i === undefined)
        throw new D365ProtocolError(
          `the exported '${names[0]}' has no column ${stagingName(f)}: add ${f} to the export project`,
        );
      return i;
    });
    return records.map((r) => {
      const row = {} as Record<F, string>;
      fields.forEach((f, k) => (row[f] = r[index[k]!] ?? ''));
      return row;
    });
  }
}
