/**
 * Importing a data package through the DMF package REST API (d365.md §6). DMF imports are
 * exempt from OData service protection, so volume loads go this way (bulk-write.ts routes).
 *
 *   GetAzureWriteUrl → PUT <BlobUrl> (x-ms-blob-type: BlockBlob) → ImportFromPackage
 *   → poll GetExecutionSummaryStatus (backoff) → on PartiallySucceeded/Failed GetExecutionErrors
 *
 * ImportFromPackage is a write that must not run twice: we choose the executionId ourselves, so
 * after an ambiguous failure we ask GetExecutionSummaryStatus for that id before anything else.
 */
import { randomUUID } from 'node:crypto';
import { D365ProtocolError, D365Unavailable } from '../errors.js';
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
    let delay = this.options.pollInitialMs ?? 1000;
    let polls = 0;
    for (;;) {
      await sleep(delay);
      polls += 1;
      const status = await this.status(runId, lane);
      if (TERMINAL.has(status)) {
        const errors =
          status === 'PartiallySucceeded' || status === 'Failed' ? await this.errors(runId, lane) : [];
        return { executionId: runId, status, errors, packageBytes: zip.byteLength, polls };
      }
      if (Date.now() + delay > deadline) {
        throw new D365Unavailable(`DMF import ${runId} did not finish in time (last status ${status})`, {
          transient: true,
          entity: GROUPS,
        });
      }
      delay = Math.min(this.options.pollMaxMs ?? 30_000, delay * (this.options.pollFactor ?? 1.5));
    }
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
