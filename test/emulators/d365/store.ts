/**
 * In-memory tables, one per entity set, shared by OData, $batch, DMF and the control API.
 *
 * Rows are plain objects holding every emitted field plus hidden bookkeeping (`__recId`,
 * `__version`, and entity-private `__…` fields). Keys compare case-insensitively, like F&O's SQL
 * collation. Writes replace row objects (never mutate them), so a transaction's undo log can simply
 * put the previous objects back.
 */
import type { EntitySchema, Row } from './entities/schema.js';
import type { EntityDef } from './entities/types.js';

export const FIRST_REC_ID = 5637144576;

interface UndoEntry {
  table: Table;
  key: string;
  previous: Row | undefined;
}

export function keyString(schema: EntitySchema, values: Row): string {
  return schema.keys
    .map((k) => {
      const v = values[k];
      return typeof v === 'string' ? v.toLowerCase() : String(v ?? '');
    })
    .join('\u0001');
}

export class Table {
  readonly rows = new Map<string, Row>();
  /** Secondary indexes (field → value → rows), built on first use and then maintained on every write. */
  private readonly indexes = new Map<string, Map<string, Row[]>>();

  constructor(readonly def: EntityDef) {}

  get(key: Row): Row | undefined {
    return this.rows.get(keyString(this.def.schema, key));
  }

  /** Rows whose `field` equals `value` (case-insensitive for strings). */
  where(field: string, value: unknown): Row[] {
    let index = this.indexes.get(field);
    if (!index) {
      index = new Map();
      for (const row of this.rows.values()) addTo(index, row[field], row);
      this.indexes.set(field, index);
    }
    return index.get(normaliseIndexValue(value)) ?? [];
  }

  /** Low-level set used by the store; keeps the indexes in step. */
  setRaw(key: string, row: Row | undefined): void {
    const previous = this.rows.get(key);
    for (const [field, index] of this.indexes) {
      if (previous) {
        const k = normaliseIndexValue(previous[field]);
        const list = index.get(k);
        if (list) {
          const i = list.indexOf(previous);
          if (i >= 0) list.splice(i, 1);
          if (!list.length) index.delete(k);
        }
      }
      if (row) addTo(index, row[field], row);
    }
    if (row) this.rows.set(key, row);
    else this.rows.delete(key);
  }
}

function addTo(index: Map<string, Row[]>, value: unknown, row: Row): void {
  const k = normaliseIndexValue(value);
  const list = index.get(k);
  if (list) list.push(row);
  else index.set(k, [row]);
}

function normaliseIndexValue(v: unknown): string {
  return typeof v === 'string' ? v.toLowerCase() : String(v);
}

export class Store {
  readonly tables = new Map<string, Table>();
  private nextRecId = FIRST_REC_ID;
  private sequences = new Map<string, number>();
  private undo: UndoEntry[] | undefined;

  constructor(defs: readonly EntityDef[]) {
    for (const def of defs) this.tables.set(def.set, new Table(def));
  }

  table(set: string): Table {
    const t = this.tables.get(set);
    if (!t) throw new Error(`unknown entity set ${set}`);
    return t;
  }

  clear(): void {
    for (const t of this.tables.values()) {
      for (const k of [...t.rows.keys()]) t.setRaw(k, undefined);
    }
    this.nextRecId = FIRST_REC_ID;
    this.sequences.clear();
  }

  newRecId(): number {
    return this.nextRecId++;
  }

  /** Next value of a number sequence (per company); like F&O, numbers consumed by failed writes are not reused. */
  nextNumber(company: string, sequence: string, format: (n: number) => string): string {
    const id = `${company.toLowerCase()}:${sequence}`;
    const n = (this.sequences.get(id) ?? 0) + 1;
    this.sequences.set(id, n);
    return format(n);
  }

  /** Makes sure the sequence continues after `n` (used by seeding and explicit keys). */
  bumpSequence(company: string, sequence: string, n: number): void {
    const id = `${company.toLowerCase()}:${sequence}`;
    if ((this.sequences.get(id) ?? 0) < n) this.sequences.set(id, n);
  }

  /** A complete row: defaults for every emitted field, then `values`. */
  materialise(def: EntityDef, values: Row): Row {
    const row: Row = {};
    for (const spec of def.schema.fields.values()) row[spec.name] = spec.defaultValue;
    Object.assign(row, values);
    return row;
  }

  /** Inserts or replaces a row, assigning RecId/version bookkeeping. */
  put(set: string, row: Row): Row {
    const table = this.table(set);
    const key = keyString(table.def.schema, row);
    const previous = table.rows.get(key);
    const stored: Row = {
      ...row,
      __recId: previous?.__recId ?? row.__recId ?? this.newRecId(),
      __version: previous ? Number(previous.__version ?? 0) + 1 : Number(row.__version ?? 1),
    };
    this.record(table, key, previous);
    table.setRaw(key, stored);
    return stored;
  }

  delete(set: string, keyValues: Row): Row | undefined {
    const table = this.table(set);
    const key = keyString(table.def.schema, keyValues);
    const previous = table.rows.get(key);
    if (!previous) return undefined;
    this.record(table, key, previous);
    table.setRaw(key, undefined);
    return previous;
  }

  /** Runs `fn` atomically: any throw restores every row it touched. Not re-entrant (nested calls join the outer one). */
  transaction<T>(fn: () => T): T {
    if (this.undo) return fn();
    this.undo = [];
    try {
      const result = fn();
      this.undo = undefined;
      return result;
    } catch (err) {
      const log = this.undo ?? [];
      this.undo = undefined;
      for (let i = log.length - 1; i >= 0; i--) {
        const e = log[i]!;
        e.table.setRaw(e.key, e.previous);
      }
      throw err;
    }
  }

  private record(table: Table, key: string, previous: Row | undefined): void {
    this.undo?.push({ table, key, previous });
  }
}

/** Weak ETag as F&O renders it: base64 of `'<recVersion>,<RecId>'`. */
export function etagOf(row: Row): string {
  const raw = `'${String(row.__version ?? 1)},${String(row.__recId ?? 0)}'`;
  return `W/"${Buffer.from(raw).toString('base64')}"`;
}
