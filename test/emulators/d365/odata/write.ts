/**
 * Create / update / delete with F&O's order of work (reference §2 "Server-side validation order"):
 * set supplied fields (type checks) → default the row → validate → write. Shared by OData, $batch,
 * DMF imports and the control API.
 */
import { CoercionError, coerceValue, type Row } from '../entities/schema.js';
import type { EntityDef, WriteContext } from '../entities/types.js';
import { etagOf, keyString } from '../store.js';
import { ODataError, WriteError, badValue, notFoundSegment, plainError, unknownProperty } from './errors.js';

/** Incoming JSON → typed values; unknown properties → 400; real-but-not-emulated properties are ignored. */
export function coerceBody(def: EntityDef, body: unknown): Row {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw plainError(400, 'The request body must be a JSON object.');
  }
  const out: Row = {};
  for (const [name, value] of Object.entries(body as Row)) {
    if (name.startsWith('@odata.') || name.includes('@odata.')) continue;
    const spec = def.schema.fields.get(name);
    if (!spec) {
      if (def.schema.realProperties.has(name) || def.schema.realNavigation.includes(name)) continue;
      throw unknownProperty(name, def.typeName);
    }
    try {
      out[name] = coerceValue(spec, value);
    } catch (err) {
      if (err instanceof CoercionError) throw badValue(err.message);
      throw err;
    }
  }
  return out;
}

function normaliseCompany(def: EntityDef, row: Row, ctx: WriteContext): void {
  if (!def.companyScoped) return;
  const company = typeof row.dataAreaId === 'string' && row.dataAreaId !== '' ? row.dataAreaId : ctx.company;
  row.dataAreaId = company.toLowerCase();
  if (!ctx.store.table('LegalEntities').get({ LegalEntityId: row.dataAreaId })) {
    throw new WriteError(def.aotName, [`Error: Company '${row.dataAreaId}' does not exist`]);
  }
}

export interface CreateOptions {
  /** DMF and control imports update an existing row instead of failing on a duplicate key. */
  upsert?: boolean;
}

export function createEntity(
  def: EntityDef,
  body: unknown,
  ctx: WriteContext,
  options: CreateOptions = {},
): Row {
  const values = coerceBody(def, body);
  const explicit = new Set(Object.keys(values));
  return ctx.store.transaction(() => {
    normaliseCompany(def, values, ctx);
    const row = ctx.store.materialise(def, values);
    def.onCreate?.(row, ctx, explicit);
    for (const key of def.schema.keys) {
      const spec = def.schema.fields.get(key);
      const v = row[key];
      // WarehousesOnHandV2 legitimately has empty dimension key parts; other string keys must be filled.
      if (spec?.kind === 'string' && v === '' && def.set !== 'WarehousesOnHandV2') {
        throw new WriteError(def.aotName, [`Warning: Field '${key}' must be filled in`]);
      }
    }
    const existing = ctx.store.table(def.set).get(row);
    if (existing && !options.upsert) {
      throw new WriteError(def.aotName, [
        `Info: Cannot create a record in ${def.tableLabel} (${def.tableName}). ${def.describeKey(row)}.\nThe record already exists.`,
      ]);
    }
    if (existing && options.upsert) {
      return updateFields(def, existing, values, ctx, undefined);
    }
    const lines = def.validate?.(row, ctx, 'create') ?? [];
    if (lines.length) throw new WriteError(def.aotName, lines);
    const stored = ctx.store.put(def.set, row);
    def.afterWrite?.(stored, ctx, 'create');
    return stored;
  });
}

export function findByKey(def: EntityDef, ctx: WriteContext, key: Row, segment: string): Row {
  const row = ctx.store.table(def.set).get(key);
  if (!row) throw notFoundSegment(segment);
  return row;
}

function checkIfMatch(row: Row, ifMatch: string | undefined): void {
  if (!ifMatch || ifMatch === '*') return;
  // F&O does not document If-Match (§2, NOT CONFIRMED); the emulator answers 412 on a stale ETag.
  if (ifMatch.trim() !== etagOf(row)) {
    throw new ODataError(412, {
      error: {
        code: '',
        message: 'An error has occurred.',
        innererror: {
          message:
            'The ETag value in the request header does not match with the current ETag value of the object.',
          type: 'Microsoft.OData.ODataException',
          stacktrace: '',
        },
      },
    });
  }
}

function updateFields(
  def: EntityDef,
  existing: Row,
  values: Row,
  ctx: WriteContext,
  ifMatch: string | undefined,
): Row {
  checkIfMatch(existing, ifMatch);
  for (const key of def.schema.keys) {
    if (
      key in values &&
      keyString({ ...def.schema, keys: [key] }, values) !==
        keyString({ ...def.schema, keys: [key] }, existing)
    ) {
      throw new WriteError(
        def.aotName,
        [],
        'update',
        `Write failed for table row of type '${def.aotName}'. Infolog: Error: The key field '${key}' cannot be changed..`,
      );
    }
  }
  const row: Row = { ...existing, ...values };
  for (const key of def.schema.keys) row[key] = existing[key];
  const lines = def.validate?.(row, ctx, 'update', existing) ?? [];
  if (lines.length) throw new WriteError(def.aotName, lines, 'update');
  const stored = ctx.store.put(def.set, row);
  def.afterWrite?.(stored, ctx, 'update');
  return stored;
}

export function updateEntity(
  def: EntityDef,
  key: Row,
  body: unknown,
  ctx: WriteContext,
  segment: string,
  ifMatch?: string,
): Row {
  const values = coerceBody(def, body);
  return ctx.store.transaction(() =>
    updateFields(def, findByKey(def, ctx, key, segment), values, ctx, ifMatch),
  );
}

export function deleteEntity(
  def: EntityDef,
  key: Row,
  ctx: WriteContext,
  segment: string,
  ifMatch?: string,
): Row {
  return ctx.store.transaction(() => {
    const existing = findByKey(def, ctx, key, segment);
    checkIfMatch(existing, ifMatch);
    ctx.store.delete(def.set, existing);
    def.afterWrite?.(existing, ctx, 'delete');
    return existing;
  });
}
