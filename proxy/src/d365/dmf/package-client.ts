/**
 * Importing and exporting data packages through the DMF package REST API (docs/d365-client.md §5). DMF is
 * exempt from OData service protection, so volume loads and reads go this way (bulk-write.ts
 * routes writes; flows decide reads).
 *
 *   GetAzureWriteUrl → PUT <BlobUrl> (x-ms-blob-type: BlockBlob) → ImportFromPackage
 *   → poll GetExecutionSummaryStatus (backoff) → on PartiallySucceeded/Failed GetExecutionErrors
 *
 *   ExportToPackage → poll GetExecutionSummaryStatus → GetExportedPackageUrl (polled until it is
 *   not empty) → GET <package URL>
 *
 * ImportFromPackage and ExportToPackage start jobs that must not run twice: we choose the
 * executionId ourselves, so after an ambiguous failure we ask GetExecutionSummaryStatus for that
 * id before anything else.
 */
import { randomUUID } from 'node:crypto';
import { D365ExportFailed, D365ProtocolError, D365Unavailable } from '../errors.js';
import type { Lane } from '../governor/lanes.js';
import type { ODataClient } from '../odata/odata-client.js';
import { sleep } from '../retry-policy.js';
import type { D365Transport } from '../transport.js';
import { createOnce } from '../create-once.js';
import { buildPackage, type PackageEntity } from './package-builder.js';

const GROUPS = 'DataManagementDefinitionGroups';

export const EXECUTION_STATUSES = [
  'Unknown',
  'NotRun',
  'Executing',
  'Succeeded',
  'PartiallySucceeded',
  'Failed',
  'Canceled',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
const TERMINAL: ReadonlySet<string> = new Set(['Succeeded', 'PartiallySucceeded', 'Failed', 'Canceled']);

export interface ImportPackageOptions extends PackageEntity {
  /** The data project (definition group) configured in F&O for this entity import. */
  definitionGroupId: string;
  legalEntityId: string;
  /** Our own id, so an ambiguous ImportFromPackage can be checked; default a new UUID. */
  executionId?: string;
  overwrite?: boolean;
  lane?: Lane;
  /** Total time allowed for the import to reach a final status (default 1 h). */
  timeoutMs?: number;
}

export interface ImportPackageResult {
  executionId: string;
  status: ExecutionStatus;
  /** Messages from GetExecutionErrors (PartiallySucceeded/Failed). */
  errors: string[];
  packageBytes: number;
  polls: number;
}

export interface ExportPackageOptions {
  /** The export data project (definition group) configured in F&O: its entities and fields. */
  definitionGroupId: string;
  legalEntityId: string;
  /** Name of the package file F&O writes; default the execution id. */
  packageName?: string;
  /** Our own id, so an ambiguous ExportToPackage can be checked; default a new UUID. */
  executionId?: string;
  lane?: Lane;
  /** Total time allowed for the export and its package (default 1 h). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ExportPackageResult {
  executionId: string;
  /** The package (a zip; read it with package-reader.ts). */
  zip: Uint8Array;
  /** F&O requests made: the start, the status polls and the package URL polls (the download is blob storage). */
  requests: number;
}

export interface PackageClientOptions {
  pollInitialMs?: number;
  pollMaxMs?: number;
  pollFactor?: number;
}

export class PackageClient {
  constructor(
    private readonly odata: ODataClient,
    private readonly transport: D365Transport,
    private readonly options: PackageClientOptions = {},
  ) {}

  async importRows(o: ImportPackageOptions): Promise<ImportPackageResult> {
    const zip = buildPackage({ definitionGroupId: o.definitionGroupId, entity: o });
    return this.importPackage(zip, o);
  }

  async importPackage(
    zip: Uint8Array,
    o: Omit<ImportPackageOptions, keyof PackageEntity>,
  ): Promise<ImportPackageResult> {
    const lane = o.lane ?? 'bulk';
    const executionId = o.executionId ?? `fobridge-${randomUUID()}`;
    const blobUrl = await this.writeUrl(`${executionId}.zip`, lane);
    await this.transport.sendExternal({
      method: 'PUT',
      url: blobUrl,
      body: Buffer.from(zip),
      headers: {
        'x-ms-blob-type': 'BlockBlob',
        'x-ms-date': new Date().toUTCString(),
        'Content-Type': 'application/zip',
      },
    });
    const started = await createOnce<string>({
      find: async () => {
        const status = await this.status(executionId, lane);
        return status === 'Unknown' ? undefined : status;
      },
      create: async () =>
        this.odata
          .action<{ value?: unknown }>(
            GROUPS,
            'ImportFromPackage',
            {
              packageUrl: blobUrl,
              definitionGroupId: o.definitionGroupId,
              executionId,
              execute: true,
              overwrite: o.overwrite ?? true,
              legalEntityId: o.legalEntityId,
            },
            { lane },
          )
          .then((res) => (typeof res?.value === 'string' && res.value ? res.value : executionId)),
    });
    // F&O echoes the execution id we chose; should it ever assign its own, follow that one.
    const runId = started.outcome === 'created' ? started.row : executionId;
    const deadline = Date.now() + (o.timeoutMs ?? 3_600_000);
    const { status, polls } = await this.waitForFinal(runId, lane, deadline, 'import');
    const errors =
      status === 'PartiallySucceeded' || status === 'Failed' ? await this.errors(runId, lane) : [];
    return { executionId: runId, status, errors, packageBytes: zip.byteLength, polls };
  }

  /**
   * Runs an export data project for one legal entity and downloads its package. Only `Succeeded`
   * counts: a partly exported catalogue would look like products that disappeared.
   */
  async exportPackage(o: ExportPackageOptions): Promise<ExportPackageResult> {
    const lane = o.lane ?? 'bulk';
    const executionId = o.executionId ?? `fobridge-${randomUUID()}`;
    let requests = 0;
    const started = await createOnce<string>({
      find: async () => {
        requests += 1;
        const status = await this.status(executionId, lane);
        return status === 'Unknown' ? undefined : executionId;
      },
      create: async () => {
        requests += 1;
        const res = await this.odata.action<{ value?: unknown }>(
          GROUPS,
          'ExportToPackage',
          {
            definitionGroupId: o.definitionGroupId,
            packageName: o.packageName ?? executionId,
            executionId,
            reExecute: false,
            legalEntityId: o.legalEntityId,
          },
          { lane },
        );
        // The value is the execution id: flat, as Microsoft's sample reads it; Microsoft's docs
        // show it nested ({"value":{"value":"<id>"}}), so that is accepted too.
        const v = res?.value as unknown;
        const nested = (v as { value?: unknown } | null)?.value;
        const id = typeof v === 'string' ? v : typeof nested === 'string' ? nested : '';
        return id || executionId;
      },
    });
    const runId = started.row;
    const deadline = Date.now() + (o.timeoutMs ?? 3_600_000);
    const final = await this.waitForFinal(runId, lane, deadline, 'export', o.signal);
    requests += final.polls;
    if (final.status !== 'Succeeded') {
      const errors = await this.errors(runId, lane);
      throw new D365ExportFailed(
        `DMF export ${runId} (${o.definitionGroupId}) ended ${final.status}`,
        errors,
        {
          entity: GROUPS,
          d365Message: errors[0],
        },
      );
    }
    let delay = this.options.pollInitialMs ?? 1000;
    for (;;) {
      requests += 1;
      const url = await this.exportedPackageUrl(runId, lane);
      if (url) {
        const res = await this.transport.sendExternal({ method: 'GET', url, binary: true });
        return { executionId: runId, zip: new Uint8Array(res.bytes ?? Buffer.alloc(0)), requests };
      }
      if (Date.now() + delay > deadline)
        throw new D365ExportFailed(`DMF export ${runId}: no package URL in time`, [], { entity: GROUPS });
      await sleep(delay);
      delay = Math.min(this.options.pollMaxMs ?? 30_000, delay * (this.options.pollFactor ?? 1.5));
    }
  }

  /** Polls GetExecutionSummaryStatus with backoff until a final status. */
  private async waitForFinal(
    runId: string,
    lane: Lane,
    deadline: number,
    what: 'import' | 'export',
    signal?: AbortSignal,
  ): Promise<{ status: ExecutionStatus; polls: number }> {
    let delay = this.options.pollInitialMs ?? 1000;
    let polls = 0;
    for (;;) {
      await sleep(delay);
      signal?.throwIfAborted();
      polls += 1;
      const status = await this.status(runId, lane);
      if (TERMINAL.has(status)) return { status, polls };
      if (Date.now() + delay > deadline) {
        throw new D365Unavailable(`DMF ${what} ${runId} did not finish in time (last status ${status})`, {
          transient: true,
          entity: GROUPS,
        });
      }
      delay = Math.min(this.options.pollMaxMs ?? 30_000, delay * (this.options.pollFactor ?? 1.5));
    }
  }

  /** `GetExportedPackageUrl`: the package's blob URL, or '' while it does not exist yet. */
  async exportedPackageUrl(executionId: string, lane: Lane = 'bulk'): Promise<string> {
    const res = await this.odata.action<{ value?: unknown }>(
      GROUPS,
      'GetExportedPackageUrl',
      { executionId },
      { lane, idempotent: true },
    );
    const v = typeof res?.value === 'string' ? res.value.trim() : '';
    if (v && !/^https?:\/\//.test(v))
      throw new D365ProtocolError('GetExportedPackageUrl returned no URL', { entity: GROUPS });
    return v;
  }

  /** `GetAzureWriteUrl` → the blob SAS URL (the action's value is itself a JSON string). */
  async writeUrl(uniqueFileName: string, lane: Lane = 'bulk'): Promise<string> {
    const res = await this.odata.action<{ value?: unknown }>(
      GROUPS,
      'GetAzureWriteUrl',
      { uniqueFileName },
      { lane, idempotent: true },
    );
    const inner = typeof res?.value === 'string' ? safeJson(res.value) : res?.value;
    const url = (inner as { BlobUrl?: unknown } | undefined)?.BlobUrl;
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
      throw new D365ProtocolError('GetAzureWriteUrl returned no BlobUrl', { entity: GROUPS });
    }
    return url;
  }

  async status(executionId: string, lane: Lane = 'bulk'): Promise<ExecutionStatus> {
    const res = await this.odata.action<{ value?: unknown }>(
      GROUPS,
      'GetExecutionSummaryStatus',
      { executionId },
      { lane, idempotent: true },
    );
    const v = res?.value;
    if (typeof v === 'string' && (EXECUTION_STATUSES as readonly string[]).includes(v))
      return v as ExecutionStatus;
    // Microsoft's sample keeps polling on "Bad request" and unknown answers.
    return 'Unknown';
  }

  async errors(executionId: string, lane: Lane = 'bulk'): Promise<string[]> {
    const res = await this.odata.action<{ value?: unknown }>(
      GROUPS,
      'GetExecutionErrors',
      { executionId },
      { lane, idempotent: true },
    );
    // Shape NOT CONFIRMED on a real system: accept a JSON array, a JSON string holding one, or text.
    const v = typeof res?.value === 'string' ? (safeJson(res.value) ?? res.value) : res?.value;
    if (Array.isArray(v)) return v.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
    if (typeof v === 'string' && v.trim()) return v.split(/\r?\n/).filter(Boolean);
    return [];
  }
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
