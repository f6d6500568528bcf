/**
 * Data management package API (reference §6): GetAzureWriteUrl (double-encoded JSON string), a blob
 * endpoint for the upload, ImportFromPackage, GetExecutionSummaryStatus (NotRun → Executing →
 * Succeeded | PartiallySucceeded | Failed), GetExecutionErrors. Packages are real zips: Manifest.xml
 * (UTF-16 LE with BOM, or UTF-8) lists entities and their data files; CSV data files are imported row by
 * row through the same create logic OData uses (upsert, business validation). Exempt from throttling.
 *
 * Export: ExportToPackage runs an export data project (defined through the control API, as an admin
 * defines it in Data management) for one legal entity; when it has Succeeded,
 * GetExportedPackageUrl answers the blob URL of the package (`""` before), which the blob endpoint
 * serves. The package is built like an import package (`export-package.ts`).
 */
import { randomUUID } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser } from 'fast-xml-parser';
import { unzipSync } from 'fflate';
import type { FastifyInstance } from 'fastify';
import type { Counters } from './counters.js';
import { entityByDmfName } from './entities/index.js';
import type { Row } from './entities/schema.js';
import type { EntityDef } from './entities/types.js';
import { ODataError, plainError } from './odata/errors.js';
import { JSON_TYPE, type ODataRequest, type ODataResponse } from './odata/handler.js';
import { createEntity } from './odata/write.js';
import type { Store } from './store.js';
import {
  exportPackage,
  resolveProject,
  type ExportProject,
  type ExportProjectInput,
} from './export-package.js';

export type DmfStatus =
  'Unknown' | 'NotRun' | 'Executing' | 'Succeeded' | 'PartiallySucceeded' | 'Failed' | 'Canceled';

export interface DmfExecutionInfo {
  executionId: string;
  definitionGroupId: string;
  legalEntityId: string;
  status: DmfStatus;
  entities: Array<{ entity: string; rows: number; imported: number; failed: number }>;
  errors: string[];
}

interface Execution extends DmfExecutionInfo {
  kind: 'import' | 'export';
  executingAt: number;
  finishAt: number;
  package: Uint8Array | undefined;
  timer?: NodeJS.Timeout;
  done: boolean;
}

/** Stage durations (ms, before timeScale): queued, then executing (+ per row). */
const NOT_RUN_MS = 500;
const EXECUTING_MS = 1000;
const PER_ROW_MS = 1;
/**
 * Export: staging and writing the file per row. A model, not a measurement of F&O (whose batch
 * queue alone can add minutes): 50,000 rows/s, so the export's fixed cost dominates small ones.
 */
const EXPORT_PER_ROW_MS = 0.02;

export function decodeXml(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return Buffer.from(bytes.subarray(2)).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  const text = Buffer.from(bytes).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

interface ManifestEntity {
  entityName: string;
  inputFilePath: string;
  sourceFormat: string;
  map: Map<string, string>;
}

export function readManifest(xml: string): ManifestEntity[] {
  const parser = new XMLParser({
    ignoreAttributes: true,
    removeNSPrefix: true,
    parseTagValue: false,
    isArray: (name) => name === 'DataManagementPackageEntityData' || name === 'EntityMap',
  });
  const doc = parser.parse(xml) as Record<string, any>;
  const list = doc.DataManagementPackageManifest?.PackageEntityList?.DataManagementPackageEntityData as
    Array<Record<string, any>> | undefined;
  if (!list) throw new Error('Manifest.xml has no PackageEntityList');
  return list.map((e) => {
    const map = new Map<string, string>();
    for (const m of (e.EntityMapList?.EntityMap ?? []) as Array<Record<string, unknown>>) {
      if (m.XMLField && m.EntityField) map.set(String(m.XMLField).toLowerCase(), String(m.EntityField));
    }
    return {
      entityName: String(e.EntityName ?? ''),
      inputFilePath: String(e.InputFilePath ?? ''),
      sourceFormat: String(e.SourceFormat ?? ''),
      map,
    };
  });
}

export class Dmf {
  private readonly blobs = new Map<string, Buffer>();
  private readonly runs = new Map<string, Execution>();
  /** Export data projects by lower-case name. */
  private readonly projects = new Map<string, ExportProject>();
  private sequence = 0;

  constructor(
    private readonly store: Store,
    private readonly timeScale: number,
    private readonly counters: Counters,
    private readonly now: () => Date,
  ) {}

  reset(): void {
    for (const run of this.runs.values()) clearTimeout(run.timer);
    this.runs.clear();
    this.blobs.clear();
    this.projects.clear();
  }

  /** Defines (or replaces) an export data project: its entities and the fields each exports. */
  defineExportProject(name: string, entities: readonly ExportProjectInput[]): void {
    this.projects.set(name.toLowerCase(), resolveProject(name, entities));
  }

  close(): void {
    for (const run of this.runs.values()) clearTimeout(run.timer);
  }

  executions(): DmfExecutionInfo[] {
    return [...this.runs.values()].map((r) => {
      this.advance(r);
      return {
        executionId: r.executionId,
        definitionGroupId: r.definitionGroupId,
        legalEntityId: r.legalEntityId,
        status: r.status,
        entities: r.entities,
        errors: r.errors,
      };
    });
  }

  /** OData actions bound to DataManagementDefinitionGroups. */
  action(set: string, action: string, body: unknown, req: ODataRequest): ODataResponse {
    if (set !== 'DataManagementDefinitionGroups')
      throw plainError(404, `Resource not found for the segment '${set}'.`);
    const args = (body ?? {}) as Record<string, unknown>;
    const value = (v: unknown, type = 'Edm.String'): ODataResponse => ({
      status: 200,
      headers: { 'content-type': JSON_TYPE, 'odata-version': '4.0' },
      body: JSON.stringify({ '@odata.context': `${req.url.origin}/data/$metadata#${type}`, value: v }),
    });
    switch (action) {
      case 'GetAzureWriteUrl': {
        const name = String(args.uniqueFileName ?? '');
        if (!name) throw plainError(400, "The parameter 'uniqueFileName' is missing or empty.");
        const blobUrl = this.blobUrl(req.url.origin, name);
        // value is itself a JSON document as a string (clients parse it twice).
        return value(JSON.stringify({ BlobId: `{${randomUUID().toUpperCase()}}`, BlobUrl: blobUrl }));
      }
      case 'ImportFromPackage':
      case 'ImportFromPackageAsync':
        return value(this.startImport(args));
      case 'GetExecutionSummaryStatus': {
        const run = this.runs.get(String(args.executionId ?? ''));
        if (!run) return value('Unknown');
        this.advance(run);
        return value(run.status);
      }
      case 'GetExecutionErrors': {
        const run = this.runs.get(String(args.executionId ?? ''));
        if (run) this.advance(run);
        // Shape NOT CONFIRMED (§6): a JSON array of messages, encoded as a string like GetAzureWriteUrl.
        return value(JSON.stringify(run?.errors ?? []));
      }
      case 'ExportToPackage':
      case 'ExportToPackageAsync':
        return value(this.startExport(args));
      case 'GetExportedPackageUrl': {
        const run = this.runs.get(String(args.executionId ?? ''));
        if (run) this.advance(run);
        // Empty until the package exists (clients poll, as Microsoft's sample does).
        if (!run || run.kind !== 'export' || run.status !== 'Succeeded') return value('');
        return value(this.blobUrl(req.url.origin, `${run.executionId}.zip`));
      }
      case 'GetImportTargetErrorKeysFileUrl':
      case 'GetImportStagingErrorFileUrl':
        return value('');
      case 'GenerateImportTargetErrorKeysFile':
        return value(false, 'Edm.Boolean');
      default:
        throw plainError(400, `The action '${action}' is not supported by the emulator.`);
    }
  }

  /** A SAS-like URL of a blob (`sig` is checked on upload). */
  private blobUrl(origin: string, name: string): string {
    const expiry = new Date(Date.now() + 3600_000).toISOString().slice(0, 19) + 'Z';
    return `${origin}/_blob/dmf/${encodeURIComponent(name)}?sv=2014-02-14&sr=b&sig=${randomUUID().replace(/-/g, '')}&st=${encodeURIComponent(new Date().toISOString().slice(0, 19) + 'Z')}&se=${encodeURIComponent(expiry)}&sp=rw`;
  }

  /** The caller's execution id, or one like F&O's (`<project>-<timestamp>-<n>`). */
  private executionIdOf(args: Record<string, unknown>, fallback: string): string {
    const stamp = this.now().toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const group = String(args.definitionGroupId ?? '') || fallback;
    return String(args.executionId ?? '') || `${group}-${stamp}-${++this.sequence}`;
  }

  /** Registers a new execution in NotRun; its timer moves it on. */
  private begin(
    kind: Execution['kind'],
    args: Record<string, unknown>,
    executionId: string,
    errors: string[],
    pkg: Uint8Array | undefined,
  ): string {
    const now = Date.now();
    const run: Execution = {
      kind,
      executionId,
      definitionGroupId: String(args.definitionGroupId ?? ''),
      legalEntityId: String(args.legalEntityId ?? '').toLowerCase(),
      status: 'NotRun',
      entities: [],
      errors,
      executingAt: now + NOT_RUN_MS * this.timeScale,
      finishAt: now + (NOT_RUN_MS + EXECUTING_MS) * this.timeScale,
      package: pkg,
      done: false,
    };
    this.runs.set(executionId, run);
    run.timer = setTimeout(() => this.advance(run), Math.max(0, run.finishAt - now) + 1);
    return executionId;
  }

  private startExport(args: Record<string, unknown>): string {
    this.counters.packageExports++;
    const executionId = this.executionIdOf(args, 'Export');
    const previous = this.runs.get(executionId);
    if (previous && args.reExecute !== true)
      throw plainError(400, `Execution ID '${executionId}' already exists.`);
    if (previous) clearTimeout(previous.timer);
    const name = String(args.definitionGroupId ?? '');
    const found = this.projects.has(name.toLowerCase());
    return this.begin(
      'export',
      args,
      executionId,
      found ? [] : [`Data project '${name}' was not found.`],
      undefined,
    );
  }

  private startImport(args: Record<string, unknown>): string {
    this.counters.packageImports++;
    const executionId = this.executionIdOf(args, 'Import');
    if (this.runs.has(executionId)) throw plainError(400, `Execution ID '${executionId}' already exists.`);
    const packageUrl = String(args.packageUrl ?? '');
    const m = /\/_blob\/dmf\/([^?]+)/.exec(packageUrl);
    const pkg = m ? this.blobs.get(decodeURIComponent(m[1]!)) : undefined;
    const errors = pkg ? [] : [`Unable to download the package from '${packageUrl}'.`];
    return this.begin('import', args, executionId, errors, pkg);
  }

  /** Moves an execution through its states by the clock; the import itself happens when it finishes. */
  private advance(run: Execution): void {
    if (run.done) return;
    const now = Date.now();
    if (now < run.executingAt) return;
    if (run.status === 'NotRun') {
      run.status = 'Executing';
      // Rows are imported (or exported) at the start of Executing; the duration grows with the row count.
      const rows = run.kind === 'import' ? this.importPackage(run) : this.exportRows(run);
      const perRow = run.kind === 'import' ? PER_ROW_MS : EXPORT_PER_ROW_MS;
      run.finishAt = Math.max(
        run.finishAt,
        run.executingAt + (EXECUTING_MS + rows * perRow) * this.timeScale,
      );
      clearTimeout(run.timer);
      run.timer = setTimeout(() => this.advance(run), Math.max(0, run.finishAt - now) + 1);
    }
    if (Date.now() < run.finishAt) return;
    if (run.kind === 'export') {
      run.status = run.package ? 'Succeeded' : 'Failed';
      if (run.package) this.blobs.set(`${run.executionId}.zip`, Buffer.from(run.package));
      run.done = true;
      run.package = undefined;
      return;
    }
    const total = run.entities.reduce((s, e) => s + e.rows, 0);
    const failed = run.entities.reduce((s, e) => s + e.failed, 0);
    run.status =
      !run.package || total === 0 || failed === total
        ? 'Failed'
        : failed > 0 || run.errors.length
          ? 'PartiallySucceeded'
          : 'Succeeded';
    run.done = true;
    run.package = undefined;
  }

  /** Snapshots the project's rows of the legal entity into a package; returns the row count. */
  private exportRows(run: Execution): number {
    const project = this.projects.get(run.definitionGroupId.toLowerCase());
    if (!project) return 0;
    const { zip, entities } = exportPackage(this.store, project, run.legalEntityId);
    run.package = zip;
    run.entities = entities.map((e) => ({ entity: e.entity, rows: e.rows, imported: e.rows, failed: 0 }));
    return entities.reduce((n, e) => n + e.rows, 0);
  }

  private importPackage(run: Execution): number {
    if (!run.package) return 0;
    let files: Record<string, Uint8Array>;
    try {
      files = unzipSync(run.package);
    } catch (err) {
      run.errors.push(
        `The package is not a valid zip file: ${err instanceof Error ? err.message : String(err)}`,
      );
      return 0;
    }
    const byName = new Map(Object.entries(files).map(([k, v]) => [k.toLowerCase(), v]));
    const manifestBytes = byName.get('manifest.xml');
    if (!manifestBytes) {
      run.errors.push('Manifest.xml was not found in the package.');
      return 0;
    }
    let manifest: ManifestEntity[];
    try {
      manifest = readManifest(decodeXml(manifestBytes));
    } catch (err) {
      run.errors.push(`Manifest.xml could not be read: ${err instanceof Error ? err.message : String(err)}`);
      return 0;
    }
    let rows = 0;
    for (const entry of manifest) {
      const def = entityByDmfName(entry.entityName);
      const stats = { entity: entry.entityName, rows: 0, imported: 0, failed: 0 };
      run.entities.push(stats);
      if (!def) {
        run.errors.push(`Entity '${entry.entityName}' is not emulated.`);
        continue;
      }
      const data = byName.get(entry.inputFilePath.toLowerCase());
      if (!data) {
        run.errors.push(
          `Data file '${entry.inputFilePath}' for entity '${entry.entityName}' was not found in the package.`,
        );
        continue;
      }
      if (!/\.csv$/i.test(entry.inputFilePath) && !/csv/i.test(entry.sourceFormat)) {
        run.errors.push(
          `Source format '${entry.sourceFormat}' of '${entry.inputFilePath}' is not supported by the emulator (CSV only).`,
        );
        continue;
      }
      rows += this.importCsv(run, def, entry, data, stats);
    }
    return rows;
  }

  private importCsv(
    run: Execution,
    def: EntityDef,
    entry: ManifestEntity,
    data: Uint8Array,
    stats: DmfExecutionInfo['entities'][number],
  ): number {
    let records: Array<Record<string, string>>;
    try {
      records = parseCsv(Buffer.from(data), {
        columns: true,
        bom: true,
        skip_empty_lines: true,
        trim: false,
      }) as Array<Record<string, string>>;
    } catch (err) {
      run.errors.push(
        `${entry.entityName}: the data file could not be parsed: ${err instanceof Error ? err.message : String(err)}`,
      );
      return 0;
    }
    const fieldByLower = new Map([...def.schema.fields.keys()].map((f) => [f.toLowerCase(), f]));
    const company = run.legalEntityId;
    records.forEach((record, i) => {
      stats.rows++;
      const values: Row = {};
      for (const [column, raw] of Object.entries(record)) {
        const staging = entry.map.get(column.toLowerCase()) ?? column;
        const field = fieldByLower.get(staging.toLowerCase());
        if (!field || raw === '') continue;
        const spec = def.schema.fields.get(field)!;
        values[field] =
          spec.kind === 'decimal' || spec.kind === 'int32' || spec.kind === 'int64' ? Number(raw) : raw;
      }
      if (def.companyScoped && !values.dataAreaId && company) values.dataAreaId = company;
      try {
        createEntity(
          def,
          values,
          { store: this.store, company: company || 'usmf', now: this.now() },
          { upsert: true },
        );
        stats.imported++;
      } catch (err) {
        stats.failed++;
        const text =
          err instanceof ODataError
            ? (err.body.error.innererror?.message ?? err.body.error.message)
            : String(err);
        run.errors.push(`${entry.entityName}, row ${i + 1}: ${text}`);
      }
    });
    return stats.rows;
  }

  /** The Azure-blob-like upload endpoint the write URL points to. */
  registerBlobRoutes(app: FastifyInstance): void {
    const azureError = (code: string, message: string) =>
      `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:${randomUUID()}\nTime:${new Date().toISOString()}</Message></Error>`;
    app.put('/_blob/dmf/:name', async (request, reply) => {
      const { name } = request.params as { name: string };
      const q = request.query as Record<string, string | undefined>;
      if (!q.sig)
        return reply
          .code(403)
          .type('application/xml')
          .send(azureError('AuthenticationFailed', 'Server failed to authenticate the request.'));
      if (request.headers['x-ms-blob-type'] !== 'BlockBlob') {
        return reply
          .code(400)
          .type('application/xml')
          .send(
            azureError(
              'MissingRequiredHeader',
              "An HTTP header that's mandatory for this request is not specified.",
            ),
          );
      }
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      this.blobs.set(name, body);
      this.counters.blobUploads++;
      return reply
        .code(201)
        .header('etag', `"0x${Date.now().toString(16).toUpperCase()}"`)
        .header('last-modified', new Date().toUTCString())
        .header('x-ms-request-id', randomUUID())
        .header('x-ms-version', '2014-02-14')
        .header('x-ms-request-server-encrypted', 'true')
        .send();
    });
    app.get('/_blob/dmf/:name', async (request, reply) => {
      const blob = this.blobs.get((request.params as { name: string }).name);
      if (!blob)
        return reply
          .code(404)
          .type('application/xml')
          .send(azureError('BlobNotFound', 'The specified blob does not exist.'));
      return reply.type('application/octet-stream').send(blob);
    });
  }
}
