/**
 * Query options (§2): $filter, $select, $top, $skip, $orderby, $count, $expand (one level, with
 * nested $select), cross-company, server-driven paging with a $skip-based @odata.nextLink.
 */
import type { Row } from '../entities/schema.js';
import type { EntityDef } from '../entities/types.js';
import type { Store } from '../store.js';
import { etagOf } from '../store.js';
import { invalidQuery } from './errors.js';
import {
  compareStrings,
  compareValues,
  compileFilter,
  parseFilter,
  type Predicate,
} from './filter-parser.js';

export interface ExpandOption {
  nav: string;
  select?: string[];
}

export interface QueryOptions {
  filter?: Predicate;
  select?: string[];
  orderby?: Array<{ field: string; desc: boolean; string: boolean }>;
  top?: number;
  skip: number;
  count: boolean;
  expand: ExpandOption[];
  crossCompany: boolean;
}

const KNOWN_OPTIONS = new Set([
  '$filter',
  '$select',
  '$top',
  '$skip',
  '$orderby',
  '$count',
  '$expand',
  '$format',
  '$skiptoken',
  'cross-company',
]);

function checkField(def: EntityDef, name: string, option: string): void {
  if (def.schema.fields.has(name)) return;
  if (def.schema.realProperties.has(name)) {
    throw invalidQuery(`Property '${name}' in ${option} exists in F&O but is not emulated.`);
  }
  throw invalidQuery(
    `Could not find a property named '${name}' on type 'Microsoft.Dynamics.DataEntities.${def.typeName}'.`,
  );
}

function parseSelect(def: EntityDef, raw: string, option: string): string[] {
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) if (n !== '*') checkField(def, n, option);
  return names.includes('*') ? [...def.schema.fields.keys()] : names;
}

function parseNonNegativeInt(raw: string, option: string): number {
  if (!/^\d+$/.test(raw))
    throw invalidQuery(
      `Invalid value '${raw}' for ${option} query option found. The ${option} query option requires a non-negative integer value.`,
    );
  return Number(raw);
}

/** Splits `A($select=x,y),B` on top-level commas. */
function splitTopLevel(raw: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of raw) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map((s) => s.trim());
}

export function parseQueryOptions(
  def: EntityDef,
  query: URLSearchParams,
  lookup: (set: string) => EntityDef | undefined,
): QueryOptions {
  for (const name of query.keys()) {
    if (name.startsWith('$') && !KNOWN_OPTIONS.has(name)) {
      throw invalidQuery(`The query parameter '${name}' is not supported.`);
    }
  }
  const options: QueryOptions = {
    skip: 0,
    count: false,
    expand: [],
    crossCompany: query.get('cross-company')?.toLowerCase() === 'true',
  };
  const filter = query.get('$filter');
  if (filter !== null) options.filter = compileFilter(parseFilter(filter), def.schema, def.typeName);
  const select = query.get('$select');
  if (select !== null) options.select = parseSelect(def, select, '$select');
  const top = query.get('$top');
  if (top !== null) options.top = parseNonNegativeInt(top, '$top');
  const skip = query.get('$skip');
  if (skip !== null) options.skip = parseNonNegativeInt(skip, '$skip');
  const count = query.get('$count');
  if (count !== null) {
    if (count !== 'true' && count !== 'false') throw invalidQuery(`'${count}' is not a valid count option.`);
    options.count = count === 'true';
  }
  const orderby = query.get('$orderby');
  if (orderby !== null) {
    options.orderby = orderby.split(',').map((part) => {
      const [field = '', dir = 'asc', ...rest] = part.trim().split(/\s+/);
      if (rest.length || (dir !== 'asc' && dir !== 'desc'))
        throw invalidQuery(`Syntax error in $orderby '${orderby}'.`);
      checkField(def, field, '$orderby');
      return { field, desc: dir === 'desc', string: def.schema.fields.get(field)?.kind === 'string' };
    });
  }
  const expand = query.get('$expand');
  if (expand !== null) {
    for (const item of splitTopLevel(expand)) {
      const m = /^([A-Za-z_]\w*)(?:\((.*)\))?$/.exec(item);
      if (!m) throw invalidQuery(`Syntax error in $expand '${expand}'.`);
      const nav = def.navigation[m[1]!];
      if (!nav) {
        if (def.schema.realNavigation.includes(m[1]!))
          throw invalidQuery(`Navigation property '${m[1]}' exists in F&O but is not emulated.`);
        throw invalidQuery(
          `Could not find a property named '${m[1]}' on type 'Microsoft.Dynamics.DataEntities.${def.typeName}'.`,
        );
      }
      const option: ExpandOption = { nav: m[1]! };
      if (m[2]) {
        const inner = new URLSearchParams(m[2].replace(/;/g, '&'));
        for (const k of inner.keys()) {
          if (k !== '$select')
            throw invalidQuery(
              `Nested '${k}' inside $expand is not supported by the emulator (only $select).`,
            );
          if (k.includes('$expand')) throw invalidQuery('Only one level of $expand is supported.');
        }
        const target = lookup(nav.target)!;
        const sel = inner.get('$select');
        if (sel !== null) option.select = parseSelect(target, sel, '$expand/$select');
      }
      options.expand.push(option);
    }
  }
  return options;
}

export function inCompany(def: EntityDef, row: Row, company: string, crossCompany: boolean): boolean {
  return crossCompany || !def.companyScoped || (row.dataAreaId as string) === company;
}

export function queryRows(def: EntityDef, store: Store, company: string, options: QueryOptions): Row[] {
  const rows: Row[] = [];
  const predicate = options.filter;
  for (const row of store.table(def.set).rows.values()) {
    if (!inCompany(def, row, company, options.crossCompany)) continue;
    if (predicate && !predicate(row)) continue;
    rows.push(row);
  }
  if (options.orderby) {
    const order = options.orderby;
    rows.sort((a, b) => {
      for (const o of order) {
        const c = (o.string ? compareStrings : compareValues)(a[o.field], b[o.field]);
        if (c !== 0) return o.desc ? -c : c;
      }
      return 0;
    });
  }
  return rows;
}

/** Row → JSON object as F&O emits it: @odata.etag first, then fields (all or $select), then expanded navigations. */
export function serialiseRow(
  def: EntityDef,
  row: Row,
  store: Store,
  select: string[] | undefined,
  expand: ExpandOption[],
  lookup: (set: string) => EntityDef | undefined,
): Row {
  const out: Row = { '@odata.etag': etagOf(row) };
  if (select) for (const f of select) out[f] = row[f];
  else for (const f of def.schema.fields.keys()) out[f] = row[f];
  for (const e of expand) {
    const nav = def.navigation[e.nav]!;
    const target = lookup(nav.target)!;
    const related = relatedRows(def, target, row, nav.on, store);
    const shaped = related.map((r) => serialiseRow(target, r, store, e.select, [], lookup));
    out[e.nav] = nav.multiple ? shaped : (shaped[0] ?? null);
  }
  return out;
}

function relatedRows(
  def: EntityDef,
  target: EntityDef,
  row: Row,
  on: ReadonlyArray<readonly [string, string]>,
  store: Store,
): Row[] {
  const [first, ...rest] = on;
  if (!first) return [];
  const candidates = store.table(target.set).where(first[1], row[first[0]]);
  return candidates.filter(
    (r) =>
      (!def.companyScoped || !target.companyScoped || r.dataAreaId === row.dataAreaId) &&
      rest.every(([a, b]) => compareValues(row[a], r[b]) === 0),
  );
}

/** The `#Set(sel,Nav,Nav(sel))` part of @odata.context. */
export function contextSuffix(options: Pick<QueryOptions, 'select' | 'expand'>): string {
  const parts: string[] = [...(options.select ?? [])];
  if (options.select && options.expand.length) parts.push(...options.expand.map((e) => e.nav));
  for (const e of options.expand) parts.push(`${e.nav}(${(e.select ?? []).join(',')})`);
  return parts.length ? `(${parts.join(',')})` : '';
}
