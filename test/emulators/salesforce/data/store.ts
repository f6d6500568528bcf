import { noSuchColumn, notFound, SfError } from '../errors.js';
import { type IdFactory, normalizeId } from '../ids.js';
import type { Schema } from '../metadata/schema.js';
import type { FieldDef, ObjectDef } from '../metadata/types.js';
import { applyObjectRules, afterDelete, afterWrite } from './object-rules.js';
import { checkValue, coerceJson, formatDateTime } from './values.js';

export type SfRecord = Record<string, unknown>;
export type WriteMode = 'create' | 'update';

/** Per-write options: bulk rows leave empty cells untouched and send strings. */
export interface WriteOptions {
  /** Values are CSV strings already mapped by `fromCsvCell`. */
  csv?: boolean;
}

const FLS_MESSAGE =
  'Please check the security settings of this field and verify that it is read/write for your profile or permission set.';

/**
 * Records of every object plus the indexes that make External ID and unique checks exact.
 * Every write goes through one validation path (`write`) so REST, collections and Bulk API
 * report the same errors. `transaction()` gives allOrNone rollback.
 */
export class RecordStore {
  private readonly tables = new Map<string, Map<string, SfRecord>>();
  private readonly indexes = new Map<string, Map<string, Map<string, Set<string>>>>();
  private undo: Array<() => void> | null = null;
  readonly events: Array<{ object: string; id: string; payload: SfRecord; publishedAt: string }> = [];

  constructor(
    readonly schema: Schema,
    private readonly ids: IdFactory,
    readonly integrationUserId: () => string,
  ) {}

  clear(): void {
    this.tables.clear();
    this.indexes.clear();
    this.events.length = 0;
  }

  private table(def: ObjectDef): Map<string, SfRecord> {
    let t = this.tables.get(def.name);
    if (!t) {
      t = new Map();
      this.tables.set(def.name, t);
    }
    return t;
  }

  private readonly indexedCache = new WeakMap<ObjectDef, FieldDef[]>();

  /**
   * Fields with an index (unique, External ID, idLookup, and lookups, so children of a record are
   * found without a scan: the price book rules look up a product's entries on every create); the
   * schema is fixed after start.
   */
  private indexedFields(def: ObjectDef): FieldDef[] {
    let list = this.indexedCache.get(def);
    if (!list) {
      list = [...def.fields.values()].filter(
        (f) => f.name !== 'Id' && (f.unique || f.externalId || f.idLookup || f.type === 'reference'),
      );
      this.indexedCache.set(def, list);
    }
    return list;
  }

  private indexKey(f: FieldDef, value: unknown): string | undefined {
    if (value === null || value === undefined || value === '') return undefined;
    const s = String(value);
    return f.caseSensitive ? s : s.toLowerCase();
  }

  private index(def: ObjectDef, f: FieldDef): Map<string, Set<string>> {
    let byObject = this.indexes.get(def.name);
    if (!byObject) {
      byObject = new Map();
      this.indexes.set(def.name, byObject);
    }
    let idx = byObject.get(f.name);
    if (!idx) {
      idx = new Map();
      byObject.set(f.name, idx);
    }
    return idx;
  }

  private setIndexed(def: ObjectDef, record: SfRecord, add: boolean): void {
    const id = record.Id as string;
    for (const f of this.indexedFields(def)) {
      const key = this.indexKey(f, record[f.name]);
      if (key === undefined) continue;
      const idx = this.index(def, f);
      const set = idx.get(key) ?? new Set<string>();
      if (add) set.add(id);
      else set.delete(id);
      if (set.size) idx.set(key, set);
      else idx.delete(key);
    }
  }

  /** Stores (or removes, with `record` undefined) a record, keeping indexes and the undo log right. */
  private put(def: ObjectDef, id: string, record: SfRecord | undefined): void {
    const t = this.table(def);
    const previous = t.get(id);
    if (previous) this.setIndexed(def, previous, false);
    if (record) {
      t.set(id, record);
      this.setIndexed(def, record, true);
    } else {
      t.delete(id);
    }
    this.undo?.push(() => {
      const current = t.get(id);
      if (current) this.setIndexed(def, current, false);
      if (previous) {
        t.set(id, previous);
        this.setIndexed(def, previous, true);
      } else {
        t.delete(id);
      }
    });
  }

  /**
   * Runs `fn`; if it throws, every write it made is undone. Nested calls act as savepoints,
   * so a failing record inside an allOrNone=false batch undoes only its own writes.
   */
  transaction<T>(fn: () => T): T {
    const outer = this.undo !== null;
    if (!outer) this.undo = [];
    const mark = this.undo!.length;
    try {
      return fn();
    } catch (err) {
      this.undoTo(mark);
      throw err;
    } finally {
      if (!outer) this.undo = null;
    }
  }

  private undoTo(mark: number): void {
    const log = this.undo ?? [];
    while (log.length > mark) log.pop()!();
  }

  /** Rolls back every write of the current (outermost) transaction so far (allOrNone). */
  rollback(): void {
    this.undoTo(0);
  }

  get inTransaction(): boolean {
    return this.undo !== null;
  }

  objectOrThrow(name: string): ObjectDef {
    const def = this.schema.object(name);
    if (!def) throw notFound(`The requested resource does not exist`);
    return def;
  }

  get(def: ObjectDef, id: string): SfRecord | undefined {
    const id18 = normalizeId(id);
    return id18 ? this.tables.get(def.name)?.get(id18) : undefined;
  }

  getById(id: string): { def: ObjectDef; record: SfRecord } | undefined {
    const id18 = normalizeId(id);
    const def = id18 ? this.schema.objectForId(id18) : undefined;
    const record = def && id18 ? this.tables.get(def.name)?.get(id18) : undefined;
    return def && record ? { def, record } : undefined;
  }

  all(def: ObjectDef): SfRecord[] {
    return [...(this.tables.get(def.name)?.values() ?? [])];
  }

  count(def: ObjectDef): number {
    return this.tables.get(def.name)?.size ?? 0;
  }

  /** Records whose `f` equals `value` (case-insensitive unless the field is case-sensitive). */
  findBy(def: ObjectDef, f: FieldDef, value: unknown): SfRecord[] {
    if (f.name === 'Id') {
      const r = this.get(def, String(value));
      return r ? [r] : [];
    }
    const key = this.indexKey(f, value);
    if (key === undefined) return [];
    if (this.indexedFields(def).includes(f)) {
      const ids = this.indexes.get(def.name)?.get(f.name)?.get(key);
      return [...(ids ?? [])].map((id) => this.table(def).get(id)!).filter(Boolean);
    }
    return this.all(def).filter((r) => this.indexKey(f, r[f.name]) === key);
  }

  /** The field usable as an External ID for upsert, or the 404 the real API answers. */
  externalIdField(def: ObjectDef, name: string): FieldDef {
    const f = this.schema.visibleField(def, name);
    if (!f || !(f.externalId || f.idLookup)) {
      throw new SfError(
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${name}`,
      );
    }
    return f;
  }

  /** Resolves `{ "Account__r": { "D365_Customer_Number__c": "C-1" } }` to the parent's Id. */
  private resolveReference(
    def: ObjectDef,
    key: string,
    value: unknown,
  ): { field: FieldDef; id: string | null } {
    const rel = this.schema.relationship(def, key);
    if (!rel || value === null || typeof value !== 'object' || Array.isArray(value))
      throw noSuchColumn(def.name, key);
    const target = this.schema.object(rel.referenceTo[0] ?? '');
    const entries = Object.entries(value as SfRecord).filter(([k]) => k !== 'attributes');
    if (!target || entries.length !== 1) throw noSuchColumn(def.name, key);
    const [extName, extValue] = entries[0]!;
    const extField = this.schema.visibleField(target, extName);
    if (!extField || !(extField.externalId || extField.idLookup)) {
      throw new SfError(
        400,
        'INVALID_FIELD',
        `Field name provided, ${extName} is not an External ID or indexed field for ${target.name}`,
      );
    }
    const matches = this.findBy(target, extField, extValue);
    if (matches.length === 0) {
      throw new SfError(
        400,
        'INVALID_FIELD',
        `Foreign key external ID: ${String(extValue)} not found for field ${extField.name} in entity ${target.name}`,
      );
    }
    if (matches.length > 1) {
      throw new SfError(
        400,
        'INVALID_FIELD',
        `Foreign key external ID: ${String(extValue)} matches more than one record for field ${extField.name} in entity ${target.name}`,
      );
    }
    return { field: rel, id: matches[0]!.Id as string };
  }

  /** Validates a body and converts it to canonical field names and stored values. */
  private convert(def: ObjectDef, body: SfRecord, mode: WriteMode, opts: WriteOptions): SfRecord {
    const changes: SfRecord = {};
    for (const [key, raw] of Object.entries(body)) {
      if (key === 'attributes') continue;
      if (opts.csv && raw === '') continue; // Bulk API: an empty cell leaves the field as it is
      if (key.toLowerCase() === 'id') {
        if (mode === 'create') {
          throw new SfError(
            400,
            'INVALID_FIELD_FOR_INSERT_UPDATE',
            'Record ID: cannot specify Id in an insert call',
            ['Id'],
          );
        }
        continue;
      }
      const f = this.schema.visibleField(def, key);
      if (!f) {
        const ref = this.resolveReference(def, key, raw);
        changes[ref.field.name] = ref.id;
        continue;
      }
      if (!this.schema.canWrite(def, f, mode)) {
        throw new SfError(
          400,
          'INVALID_FIELD_FOR_INSERT_UPDATE',
          `Unable to create/update fields: ${f.name}. ${FLS_MESSAGE}`,
          [f.name],
        );
      }
      let value = coerceJson(f, raw);
      checkValue(def.name, f, value);
      if (f.type === 'reference' && value !== null) value = this.checkReference(f, value as string);
      changes[f.name] = value;
    }
    return changes;
  }

  private checkReference(f: FieldDef, value: string): string {
    const id18 = normalizeId(value)!;
    const target = this.schema.object(f.referenceTo[0] ?? '');
    if (!target) return id18; // e.g. RecordType, not modelled: accept any Id
    if (this.schema.objectForId(id18) !== target) {
      throw new SfError(
        400,
        'FIELD_INTEGRITY_EXCEPTION',
        `${f.label}: id value of incorrect type: ${value}`,
        [f.name],
      );
    }
    if (!this.get(target, id18)) {
      throw new SfError(400, 'INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [f.name]);
    }
    return id18;
  }

  private checkRequired(def: ObjectDef, record: SfRecord, changed: SfRecord, mode: WriteMode): void {
    const missing: string[] = [];
    for (const f of def.fields.values()) {
      if (!f.required) continue;
      const v = record[f.name];
      const empty = v === null || v === undefined || v === '';
      if (empty && (mode === 'create' || f.name in changed)) missing.push(f.name);
    }
    if (missing.length) {
      throw new SfError(
        400,
        'REQUIRED_FIELD_MISSING',
        `Required fields are missing: [${missing.join(', ')}]`,
        missing,
      );
    }
  }

  private checkUnique(def: ObjectDef, record: SfRecord): void {
    for (const f of def.fields.values()) {
      if (!f.unique || f.name === 'Id') continue;
      const other = this.findBy(def, f, record[f.name]).find((r) => r.Id !== record.Id);
      if (other) {
        throw new SfError(
          400,
          'DUPLICATE_VALUE',
          `duplicate value found: ${f.name} duplicates value on record with id: ${(other.Id as string).slice(0, 15)}`,
        );
      }
    }
  }

  private stamp(record: SfRecord, created: boolean): void {
    const now = formatDateTime(Date.now());
    const user = this.integrationUserId();
    if (created) {
      record.CreatedDate = now;
      record.CreatedById = user;
      record.IsDeleted = false;
    }
    record.LastModifiedDate = now;
    record.LastModifiedById = user;
    record.SystemModstamp = now;
  }

  create(def: ObjectDef, body: SfRecord, opts: WriteOptions = {}): SfRecord {
    if (!def.createable || def.kind === 'event') {
      throw new SfError(
        400,
        'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY',
        `entity type ${def.name} does not support insert`,
      );
    }
    return this.transaction(() => {
      const changes = this.convert(def, body, 'create', opts);
      const record: SfRecord = {};
      for (const f of def.fields.values()) if (f.defaultValue !== undefined) record[f.name] = f.defaultValue;
      if (def.fields.has('ownerid')) record.OwnerId = this.integrationUserId();
      Object.assign(record, changes);
      record.Id = this.ids.next(def.keyPrefix);
      this.checkRequired(def, record, changes, 'create');
      applyObjectRules(this, def, record, changes, 'create');
      this.checkUnique(def, record);
      this.stamp(record, true);
      this.put(def, record.Id as string, record);
      afterWrite(this, def, record);
      return record;
    });
  }

  update(def: ObjectDef, id: string, body: SfRecord, opts: WriteOptions = {}): SfRecord {
    const existing = this.get(def, id);
    if (!existing) {
      throw new SfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    }
    return this.transaction(() => {
      const changes = this.convert(def, body, 'update', opts);
      const record: SfRecord = { ...existing, ...changes };
      this.checkRequired(def, record, changes, 'update');
      applyObjectRules(this, def, record, changes, 'update');
      this.checkUnique(def, record);
      this.stamp(record, false);
      this.put(def, record.Id as string, record);
      afterWrite(this, def, record);
      return record;
    });
  }

  /**
   * Upsert by External ID: 0 matches → create (with the External ID set), 1 → update,
   * more → the caller answers 300 (REST) or a per-record error (collections, bulk).
   */
  upsert(
    def: ObjectDef,
    extField: FieldDef,
    extValue: unknown,
    body: SfRecord,
    opts: WriteOptions & { updateOnly?: boolean } = {},
  ): { record: SfRecord; created: boolean } {
    const matches = this.findBy(def, extField, extValue);
    if (matches.length > 1) {
      const err = new SfError(
        300,
        'MULTIPLE_CHOICES',
        `Multiple records found for ${extField.name} = ${String(extValue)}`,
      );
      (err as SfError & { matches?: SfRecord[] }).matches = matches;
      throw err;
    }
    const rest: SfRecord = {};
    for (const [k, v] of Object.entries(body))
      if (k.toLowerCase() !== extField.name.toLowerCase()) rest[k] = v;
    if (matches.length === 1)
      return { record: this.update(def, matches[0]!.Id as string, rest, opts), created: false };
    if (opts.updateOnly || extField.name === 'Id') throw notFound();
    return { record: this.create(def, { ...rest, [extField.name]: extValue }, opts), created: true };
  }

  delete(def: ObjectDef, id: string): void {
    const existing = this.get(def, id);
    if (!existing) throw new SfError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
    if (!def.deletable)
      throw new SfError(400, 'INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id');
    this.transaction(() => {
      this.put(def, existing.Id as string, undefined);
      for (const child of this.schema.childRelationships(def)) {
        const childDef = this.schema.object(child.childObject);
        const f = childDef?.fields.get(child.field.toLowerCase());
        if (!childDef || !f) continue;
        for (const r of this.findBy(childDef, f, existing.Id)) {
          const cascade = f.required || ['Contacts', 'Opportunities'].includes(child.relationshipName);
          if (cascade) this.delete(childDef, r.Id as string);
          else this.put(childDef, r.Id as string, { ...r, [f.name]: null });
        }
      }
      afterDelete(this, def, existing);
    });
  }

  /** Publishes a platform event: validated like a create, kept in `events`, not queryable. */
  publish(def: ObjectDef, body: SfRecord): string {
    const changes = this.convert(def, body, 'create', {});
    const record: SfRecord = { ...changes };
    this.checkRequired(def, record, changes, 'create');
    const id = this.ids.next(def.keyPrefix);
    const now = formatDateTime(Date.now());
    this.events.push({ object: def.name, id, payload: { ...record, CreatedDate: now }, publishedAt: now });
    return id;
  }

  /** Control API: stores a record without validation (fills Id and system fields when missing). */
  putRaw(def: ObjectDef, input: SfRecord): SfRecord {
    const record: SfRecord = {};
    for (const [k, v] of Object.entries(input)) {
      if (k === 'attributes') continue;
      const f = def.fields.get(k.toLowerCase());
      record[f ? f.name : k] = v;
    }
    const id18 = normalizeId(record.Id);
    record.Id = id18 ?? this.ids.next(def.keyPrefix);
    const existing = this.get(def, record.Id as string);
    for (const f of def.fields.values()) {
      if (record[f.name] === undefined && f.defaultValue !== undefined && !existing)
        record[f.name] = f.defaultValue;
    }
    if (def.fields.has('ownerid') && !record.OwnerId && !existing) record.OwnerId = this.integrationUserId();
    const merged = { ...existing, ...record };
    this.stamp(merged, !existing);
    // Explicit system dates win (tests seed "old" records for reconciliation and date filters).
    for (const k of ['CreatedDate', 'LastModifiedDate', 'SystemModstamp'] as const)
      if (record[k]) merged[k] = record[k];
    this.put(def, merged.Id as string, merged);
    afterWrite(this, def, merged);
    return merged;
  }

  /** Internal write that skips validation, used by object rules (roll-ups). */
  putDerived(def: ObjectDef, record: SfRecord): void {
    this.put(def, record.Id as string, record);
  }
}
