/**
 * Volume routing: more than `packageThreshold` rows go through a DMF data package
 * (exempt from OData throttling, one import for all rows); fewer go through `$batch` (one
 * governor slot per batch of up to `batchMaxOps` operations, one changeset per row so that one
 * bad row does not roll back the others).
 */
import type { BatchClient, BatchItemResult } from './batch/batch-client.js';
import type { Changeset } from './batch/build.js';
import type { D365Error } from './errors.js';
import type { Lane } from './governor/lanes.js';
import type { EntityKey } from './odata/literal.js';
import type { Row } from './odata/odata-client.js';
import type { ImportPackageResult, PackageClient } from './dmf/package-client.js';

export interface BulkWriteOptions {
  /** `create`: POST each row. `update`: PATCH each row by `keyFields` (the rest of the row is the patch). */
  mode: 'create' | 'update';
  /** Key fields for `update` (e.g. ['dataAreaId', 'CustomerAccount']). */
  keyFields?: readonly string[];
  /** Legal entity (sets dataAreaId and cross-company=true). */
  company: string;
  lane?: Lane;
  /** Needed to use the package route: the data project and the entity's label. */
  package?: {
    definitionGroupId: string;
    entityLabel: string;
    fields?: readonly string[];
    fieldMap?: Record<string, string>;
    sourceFormat?: string;
  };
  /** Override the threshold for this call. */
  forceRoute?: 'package' | 'batch';
  batchConcurrency?: number;
}

export type BulkWriteResult =
  | {
      route: 'batch';
      succeeded: number;
      failed: Array<{ index: number; error: D365Error }>;
      results: BatchItemResult[];
    }
  | { route: 'package'; succeeded: number | undefined; failed: []; execution: ImportPackageResult };

export class BulkWriter {
  constructor(
    private readonly batch: BatchClient,
    private readonly packages: PackageClient,
    private readonly packageThreshold: number,
  ) {}

  route(rows: number, options: Pick<BulkWriteOptions, 'forceRoute' | 'package'>): 'package' | 'batch' {
    if (options.forceRoute) return options.forceRoute;
    return rows > this.packageThreshold && options.package ? 'package' : 'batch';
  }

  async write(entity: string, rows: readonly Row[], options: BulkWriteOptions): Promise<BulkWriteResult> {
    const company = options.company.toLowerCase();
    const lane = options.lane ?? 'bulk';
    if (this.route(rows.length, options) === 'package') {
      const p = options.package;
      if (!p) throw new TypeError('the package route needs options.package');
      const fields = p.fields ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
      const execution = await this.packages.importRows({
        definitionGroupId: p.definitionGroupId,
        legalEntityId: company,
        entityLabel: p.entityLabel,
        fields,
        fieldMap: p.fieldMap,
        sourceFormat: p.sourceFormat,
        rows: rows.map((r) => ({ ...r, dataAreaId: company })),
        lane,
      });
      return {
        route: 'package',
        succeeded: execution.status === 'Succeeded' ? rows.length : undefined,
        failed: [],
        execution,
      };
    }
    const items: Changeset[] = rows.map((row) => ({
      changeset: [this.operation(entity, row, options, company)],
    }));
    const results = await this.batch.executeAll(items, { lane, concurrency: options.batchConcurrency ?? 2 });
    const failed: Array<{ index: number; error: D365Error }> = [];
    results.forEach((r, index) => {
      if (!r.ok) failed.push({ index, error: r.error });
    });
    return { route: 'batch', succeeded: rows.length - failed.length, failed, results };
  }

  private operation(entity: string, row: Row, options: BulkWriteOptions, company: string) {
    if (options.mode === 'create') {
      return {
        method: 'POST' as const,
        entity,
        query: 'cross-company=true',
        body: { ...row, dataAreaId: company },
      };
    }
    const keyFields = options.keyFields ?? [];
    if (keyFields.length === 0) throw new TypeError('update mode needs keyFields');
    const key: EntityKey = {};
    const patch: Row = {};
    for (const [k, v] of Object.entries({ ...row, dataAreaId: company })) {
      if (keyFields.includes(k)) key[k] = v as EntityKey[string];
      else patch[k] = v;
    }
    return { method: 'PATCH' as const, entity, key, query: 'cross-company=true', body: patch };
  }
}
