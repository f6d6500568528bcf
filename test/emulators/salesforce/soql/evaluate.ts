import soqlParser from 'soql-parser-js';
import type { Condition, FieldType, OrderByClause, Query, Subquery, WhereClause } from 'soql-parser-js';
import { SfError } from '../errors.js';
import { normalizeId } from '../ids.js';
import type { RecordStore, SfRecord } from '../data/store.js';
import { parseDateTime } from '../data/values.js';
import type { ChildRelationship, FieldDef, ObjectDef } from '../metadata/types.js';
import { dateLiteralRange, type DateRange, likeToRegExp, unquote } from './literals.js';

/**
 * The SOQL subset: SELECT fields (with parent relationship paths and one level of child
 * subqueries), COUNT(), FROM, WHERE (= != < > <= >= IN NOT IN LIKE INCLUDES EXCLUDES, AND,
 * OR, NOT, parentheses, date/datetime literals, semi-join `IN (SELECT …)`), ORDER BY,
 * LIMIT, OFFSET. Parsing is `soql-parser-js`; evaluation is here.
 */

export interface QueryOutput {
  totalSize: number;
  records: SfRecord[];
}

interface Ctx {
  store: RecordStore;
  soql: string;
  apiVersion: string;
}

/** Parent path (`Account.Owner.Name` → [AccountId, OwnerId] then Name). */
interface FieldPath {
  steps: Array<{ field: FieldDef; target: ObjectDef }>;
  leaf: FieldDef;
  /** The names as written, for output keys. */
  names: string[];
}

type Predicate = (record: SfRecord) => boolean;

function soqlError(ctx: Ctx, code: string, token: string, message: string): SfError {
  const idx = Math.max(0, ctx.soql.toLowerCase().indexOf(token.toLowerCase()));
  return new SfError(
    400,
    code,
    `\n${ctx.soql}\n${' '.repeat(idx)}^\nERROR at Row:1:Column:${idx + 1}\n${message}`,
  );
}

function noSuchColumn(ctx: Ctx, def: ObjectDef, name: string): SfError {
  return soqlError(
    ctx,
    'INVALID_FIELD',
    name,
    `No such column '${name}' on entity '${def.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
}

function resolvePath(ctx: Ctx, def: ObjectDef, dotted: string): FieldPath {
  const schema = ctx.store.schema;
  let parts = dotted.split('.');
  if (parts.length > 1 && parts[0]!.toLowerCase() === def.name.toLowerCase()) parts = parts.slice(1);
  let current = def;
  const steps: FieldPath['steps'] = [];
  for (const rel of parts.slice(0, -1)) {
    const ref = schema.relationship(current, rel);
    const target = ref ? schema.object(ref.referenceTo[0] ?? '') : undefined;
    if (!ref || !target) {
      throw soqlError(
        ctx,
        'INVALID_FIELD',
        dotted,
        `Didn't understand relationship '${rel}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    steps.push({ field: ref, target });
    current = target;
  }
  const leafName = parts[parts.length - 1]!;
  const leaf = schema.visibleField(current, leafName);
  if (!leaf) throw noSuchColumn(ctx, current, leafName);
  return { steps, leaf, names: parts };
}

function readPath(ctx: Ctx, record: SfRecord, path: FieldPath): unknown {
  let cur: SfRecord | undefined = record;
  for (const step of path.steps) {
    const id: unknown = cur?.[step.field.name];
    cur = typeof id === 'string' ? ctx.store.get(step.target, id) : undefined;
    if (!cur) return null;
  }
  return cur[path.leaf.name] ?? null;
}

// ---------- WHERE ----------

type Token = '(' | ')' | 'AND' | 'OR' | 'NOT' | { cond: Condition };

function flatten(where: WhereClause | undefined, out: Token[] = []): Token[] {
  if (!where) return out;
  const left = where.left as
    (Condition & { field?: string; fn?: unknown; openParen?: number; closeParen?: number }) | null;
  if (left) {
    for (let i = 0; i < (left.openParen ?? 0); i++) out.push('(');
    if ('field' in left || 'fn' in left) {
      out.push({ cond: left });
      for (let i = 0; i < (left.closeParen ?? 0); i++) out.push(')');
    }
  }
  const op = (where as { operator?: string }).operator;
  if (op) {
    out.push(op as 'AND' | 'OR' | 'NOT');
    flatten((where as { right: WhereClause }).right, out);
  }
  return out;
}

type Literal = unknown;

function toLiteral(ctx: Ctx, f: FieldDef, raw: string, literalType: string | undefined): Literal {
  const textual = !['int', 'double', 'currency', 'percent', 'boolean', 'date', 'datetime'].includes(f.type);
  if (literalType === 'NULL') return null;
  if (literalType === 'DATE_LITERAL' || literalType === 'DATE_N_LITERAL') return dateLiteralRange(raw);
  if (literalType === 'STRING' && !textual) {
    const expected = f.type === 'int' || f.type === 'currency' || f.type === 'percent' ? 'double' : f.type;
    throw soqlError(
      ctx,
      'INVALID_FIELD',
      raw,
      `value of filter criterion for field '${f.name}' must be of type ${expected} and should not be enclosed in quotes`,
    );
  }
  if (literalType === 'STRING') {
    const s = unquote(raw);
    return f.type === 'id' || f.type === 'reference' ? (normalizeId(s) ?? s) : s;
  }
  if (literalType === 'BOOLEAN') return raw.toUpperCase() === 'TRUE';
  if (literalType === 'DATETIME') return parseDateTime(raw);
  if (literalType === 'DATE') return f.type === 'datetime' ? Date.parse(`${raw}T00:00:00Z`) : raw;
  return Number(raw);
}

function comparable(f: FieldDef, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (f.type === 'datetime') return parseDateTime(String(value));
  if (['int', 'double', 'currency', 'percent', 'boolean', 'date'].includes(f.type)) return value;
  if (f.type === 'id' || f.type === 'reference') return String(value);
  return String(value).toLowerCase();
}

function isRange(v: unknown): v is DateRange {
  return typeof v === 'object' && v !== null && 'start' in v && 'end' in v;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function rangeTest(f: FieldDef, value: unknown, op: string, range: DateRange): boolean {
  if (value === null || value === undefined) return op === '!=';
  const ms = f.type === 'date' ? Date.parse(`${String(value)}T00:00:00Z`) : parseDateTime(String(value));
  switch (op) {
    case '=':
      return ms >= range.start && ms < range.end;
    case '!=':
      return !(ms >= range.start && ms < range.end);
    case '<':
      return ms < range.start;
    case '<=':
      return ms < range.end;
    case '>':
      return ms >= range.end;
    case '>=':
      return ms >= range.start;
    default:
      return false;
  }
}

function conditionPredicate(ctx: Ctx, def: ObjectDef, cond: Condition): Predicate {
  const c = cond as Condition & {
    field?: string;
    operator: string;
    value?: string | string[];
    literalType?: string | string[];
    valueQuery?: Query;
  };
  if (!c.field)
    throw soqlError(ctx, 'MALFORMED_QUERY', 'WHERE', 'Functions in WHERE are not supported by the emulator');
  const path = resolvePath(ctx, def, c.field);
  const f = path.leaf;
  const op = c.operator.toUpperCase();
  const types = Array.isArray(c.literalType) ? c.literalType : [c.literalType];
  let literals: Literal[];
  if (c.valueQuery) {
    const inner = runParsed(ctx, c.valueQuery);
    literals = inner.records.map((r) => {
      const key = Object.keys(r).find((k) => k !== 'attributes');
      return key ? comparable(f, r[key]) : null;
    });
  } else {
    const values = Array.isArray(c.value) ? c.value : [c.value ?? ''];
    literals = values.map((v, i) => toLiteral(ctx, f, v, types[i] ?? types[0]));
  }
  const literal = literals[0];
  return (record) => {
    const raw = readPath(ctx, record, path);
    if (isRange(literal)) return rangeTest(f, raw, op, literal);
    const v = comparable(f, raw);
    const norm = (l: unknown): unknown =>
      typeof l === 'string' && f.type !== 'id' && f.type !== 'reference' && f.type !== 'date'
        ? l.toLowerCase()
        : l;
    switch (op) {
      case '=':
        return literal === null ? v === null : v !== null && compare(v, norm(literal)) === 0;
      case '!=':
        return literal === null ? v !== null : v === null || compare(v, norm(literal)) !== 0;
      case '<':
        return v !== null && compare(v, norm(literal)) < 0;
      case '<=':
        return v !== null && compare(v, norm(literal)) <= 0;
      case '>':
        return v !== null && compare(v, norm(literal)) > 0;
      case '>=':
        return v !== null && compare(v, norm(literal)) >= 0;
      case 'LIKE':
        return v !== null && likeToRegExp(String(literal)).test(String(raw));
      case 'IN':
        return literals.some((l) => (l === null ? v === null : v !== null && compare(v, norm(l)) === 0));
      case 'NOT IN':
        return !literals.some((l) => (l === null ? v === null : v !== null && compare(v, norm(l)) === 0));
      case 'INCLUDES':
      case 'EXCLUDES': {
        const have = String(raw ?? '')
          .toLowerCase()
          .split(';');
        const hit = literals.some((l) =>
          String(l)
            .toLowerCase()
            .split(';')
            .every((p) => have.includes(p)),
        );
        return op === 'INCLUDES' ? hit : !hit;
      }
      default:
        throw soqlError(ctx, 'MALFORMED_QUERY', op, `unexpected token: ${op}`);
    }
  };
}

function compileWhere(ctx: Ctx, def: ObjectDef, where: WhereClause | undefined): Predicate {
  const tokens = flatten(where);
  if (tokens.length === 0) return () => true;
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const orExpr = (): Predicate => {
    const parts = [andExpr()];
    while (peek() === 'OR') {
      pos++;
      parts.push(andExpr());
    }
    return parts.length === 1 ? parts[0]! : (r) => parts.some((p) => p(r));
  };
  const andExpr = (): Predicate => {
    const parts = [notExpr()];
    while (peek() === 'AND') {
      pos++;
      parts.push(notExpr());
    }
    return parts.length === 1 ? parts[0]! : (r) => parts.every((p) => p(r));
  };
  const notExpr = (): Predicate => {
    if (peek() === 'NOT') {
      pos++;
      const inner = notExpr();
      return (r) => !inner(r);
    }
    return primary();
  };
  const primary = (): Predicate => {
    const t = tokens[pos++];
    if (t === '(') {
      const inner = orExpr();
      if (tokens[pos++] !== ')')
        throw soqlError(ctx, 'MALFORMED_QUERY', 'WHERE', 'unexpected token: missing )');
      return inner;
    }
    if (t && typeof t === 'object') return conditionPredicate(ctx, def, t.cond);
    throw soqlError(ctx, 'MALFORMED_QUERY', 'WHERE', `unexpected token: ${String(t)}`);
  };
  return orExpr();
}

// ---------- SELECT ----------

type Projection =
  | { kind: 'field'; path: FieldPath }
  | { kind: 'child'; rel: ChildRelationship; childDef: ObjectDef; query: Subquery };

function compileFields(ctx: Ctx, def: ObjectDef, fields: FieldType[], allowChildren: boolean): Projection[] {
  const out: Projection[] = [];
  for (const f of fields) {
    if (f.type === 'Field') out.push({ kind: 'field', path: resolvePath(ctx, def, f.field) });
    else if (f.type === 'FieldRelationship') {
      out.push({ kind: 'field', path: resolvePath(ctx, def, [...f.relationships, f.field].join('.')) });
    } else if (f.type === 'FieldSubquery' && allowChildren) {
      const rel = ctx.store.schema.childRelationship(def, f.subquery.relationshipName);
      const childDef = rel ? ctx.store.schema.object(rel.childObject) : undefined;
      if (!rel || !childDef) {
        throw soqlError(
          ctx,
          'INVALID_TYPE',
          f.subquery.relationshipName,
          `Didn't understand relationship '${f.subquery.relationshipName}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
        );
      }
      out.push({ kind: 'child', rel, childDef, query: f.subquery });
    } else {
      throw soqlError(
        ctx,
        'MALFORMED_QUERY',
        'SELECT',
        'This SOQL construct is not supported by the emulator',
      );
    }
  }
  return out;
}

function recordUrl(ctx: Ctx, def: ObjectDef, id: unknown): string {
  return `/services/data/v${ctx.apiVersion}/sobjects/${def.name}/${String(id)}`;
}

function sortRecords(
  ctx: Ctx,
  def: ObjectDef,
  records: SfRecord[],
  orderBy: OrderByClause | OrderByClause[] | undefined,
): SfRecord[] {
  const clauses = orderBy ? (Array.isArray(orderBy) ? orderBy : [orderBy]) : [];
  if (!clauses.length) return records;
  const keys = clauses.map((c) => {
    if (!('field' in c) || !c.field)
      throw soqlError(
        ctx,
        'MALFORMED_QUERY',
        'ORDER BY',
        'ORDER BY a function is not supported by the emulator',
      );
    const path = resolvePath(ctx, def, c.field);
    const desc = c.order === 'DESC';
    const nullsFirst = c.nulls ? c.nulls === 'FIRST' : !desc;
    return { path, desc, nullsFirst };
  });
  return records
    .map((r) => ({ r, vals: keys.map((k) => comparable(k.path.leaf, readPath(ctx, r, k.path))) }))
    .sort((a, b) => {
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const va = a.vals[i];
        const vb = b.vals[i];
        if (va === vb) continue;
        if (va === null) return k.nullsFirst ? -1 : 1;
        if (vb === null) return k.nullsFirst ? 1 : -1;
        const c = compare(va, vb);
        if (c !== 0) return k.desc ? -c : c;
      }
      return 0;
    })
    .map((x) => x.r);
}

function project(
  ctx: Ctx,
  def: ObjectDef,
  record: SfRecord,
  projections: Projection[],
  children: Map<Projection, Map<string, SfRecord[]>>,
): SfRecord {
  const out: SfRecord = { attributes: { type: def.name, url: recordUrl(ctx, def, record.Id) } };
  for (const p of projections) {
    if (p.kind === 'child') {
      const rows = children.get(p)?.get(record.Id as string) ?? [];
      out[p.rel.relationshipName] = rows.length
        ? { totalSize: rows.length, done: true, records: rows }
        : null;
      continue;
    }
    if (p.path.steps.length === 0) {
      out[p.path.leaf.name] = record[p.path.leaf.name] ?? null;
      continue;
    }
    // Parent fields nest: { Account: { attributes, Name } }, or null when there is no parent.
    let holder: SfRecord = out;
    let cur: SfRecord | undefined = record;
    for (let i = 0; i < p.path.steps.length; i++) {
      const step = p.path.steps[i]!;
      const key = step.field.relationshipName ?? p.path.names[i]!;
      const id: unknown = cur?.[step.field.name];
      cur = typeof id === 'string' ? ctx.store.get(step.target, id) : undefined;
      if (!cur) {
        if (!(key in holder)) holder[key] = null;
        break;
      }
      const existing = holder[key] as SfRecord | null | undefined;
      const next: SfRecord = existing ?? {
        attributes: { type: step.target.name, url: recordUrl(ctx, step.target, cur.Id) },
      };
      holder[key] = next;
      holder = next;
      if (i === p.path.steps.length - 1) holder[p.path.leaf.name] = cur[p.path.leaf.name] ?? null;
    }
  }
  return out;
}

function runParsed(ctx: Ctx, query: Query): QueryOutput {
  const schema = ctx.store.schema;
  const def = query.sObject ? schema.object(query.sObject) : undefined;
  if (!def || !def.queryable) {
    const name = query.sObject ?? '';
    throw soqlError(
      ctx,
      'INVALID_TYPE',
      name,
      `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  const fields = query.fields ?? [];
  const isCount =
    fields.length === 1 &&
    fields[0]!.type === 'FieldFunctionExpression' &&
    fields[0]!.functionName.toUpperCase() === 'COUNT' &&
    fields[0]!.parameters.length === 0;
  const projections = isCount ? [] : compileFields(ctx, def, fields, true);
  const where = compileWhere(ctx, def, query.where);
  let rows = ctx.store.all(def).filter(where);
  if (isCount) return { totalSize: rows.length, records: [] };
  rows = sortRecords(ctx, def, rows, query.orderBy);
  if (query.offset) rows = rows.slice(query.offset);
  if (query.limit !== undefined) rows = rows.slice(0, query.limit);

  const children = new Map<Projection, Map<string, SfRecord[]>>();
  const parentIds = new Set(rows.map((r) => r.Id as string));
  for (const p of projections) {
    if (p.kind !== 'child') continue;
    const childProjections = compileFields(ctx, p.childDef, p.query.fields ?? [], false);
    const childWhere = compileWhere(ctx, p.childDef, p.query.where);
    const byParent = new Map<string, SfRecord[]>();
    let childRows = ctx.store
      .all(p.childDef)
      .filter((r) => parentIds.has(r[p.rel.field] as string) && childWhere(r));
    childRows = sortRecords(ctx, p.childDef, childRows, p.query.orderBy);
    for (const r of childRows) {
      const list = byParent.get(r[p.rel.field] as string) ?? [];
      if (p.query.limit === undefined || list.length < p.query.limit)
        list.push(project(ctx, p.childDef, r, childProjections, new Map()));
      byParent.set(r[p.rel.field] as string, list);
    }
    children.set(p, byParent);
  }
  return { totalSize: rows.length, records: rows.map((r) => project(ctx, def, r, projections, children)) };
}

/** Parses and runs a SOQL query; throws the errors the real API gives (400 array bodies). */
export function runQuery(store: RecordStore, soql: string, apiVersion: string): QueryOutput {
  const ctx: Ctx = { store, soql, apiVersion };
  let parsed: Query;
  try {
    parsed = soqlParser.parseQuery(soql);
  } catch (err) {
    throw new SfError(
      400,
      'MALFORMED_QUERY',
      `\n${soql}\n^\nERROR at Row:1:Column:1\nunexpected token: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  return runParsed(ctx, parsed);
}
