/**
 * `$filter` for the subset F&O documents (reference §2): eq ne gt ge lt le, and or not, parentheses;
 * string ('' escaping, `*` wildcard with eq/ne), number, date/datetime, enum
 * (`Microsoft.Dynamics.DataEntities.NoYes'Yes'`), true/false/null literals.
 * `in`, `has` and functions (contains, startswith…) are rejected with 400, as F&O does not support them;
 * arithmetic (add sub mul div mod) exists in F&O but is not emulated (also 400, with a clear message).
 *
 * Tokenizer + recursive descent parser → AST; `compileFilter` binds the AST to an entity schema and
 * returns a predicate.
 */
import type { EntitySchema, FieldSpec, Row } from '../entities/schema.js';
import { invalidQuery, plainError } from './errors.js';

export type Literal =
  | { type: 'literal'; kind: 'string'; value: string }
  | { type: 'literal'; kind: 'number'; value: number }
  | { type: 'literal'; kind: 'date'; value: number; text: string }
  | { type: 'literal'; kind: 'enum'; value: string; enumType: string }
  | { type: 'literal'; kind: 'bool'; value: boolean }
  | { type: 'literal'; kind: 'null'; value: null };

export type Operand = { type: 'field'; name: string } | Literal;
export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type FilterNode =
  | { type: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { type: 'not'; expr: FilterNode }
  | { type: 'cmp'; op: CompareOp; left: Operand; right: Operand }
  | { type: 'bool'; operand: Operand };

type Token =
  | { t: 'op'; v: '(' | ')' | ','; pos: number }
  | { t: 'word'; v: string; pos: number }
  | { t: 'lit'; v: Literal; pos: number };

const ENUM_LITERAL = /^([A-Za-z_][\w.]*\.([A-Za-z_]\w*))'((?:[^']|'')*)'/;
const DATETIME_LITERAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/;
const DATE_LITERAL = /^\d{4}-\d{2}-\d{2}(?![\w:])/;
const NUMBER_LITERAL = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[mMdDfFlL]?(?![\w])/;
const WORD = /^[A-Za-z_$][\w]*(?:\/[A-Za-z_]\w*)*/;

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = src.slice(i);
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ t: 'op', v: ch, pos: i });
      i++;
      continue;
    }
    if (ch === "'") {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= src.length) throw invalidQuery(`Unterminated string literal at position ${i} in '${src}'.`);
        if (src[j] === "'") {
          if (src[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += src[j];
        j++;
      }
      tokens.push({ t: 'lit', v: { type: 'literal', kind: 'string', value }, pos: i });
      i = j + 1;
      continue;
    }
    let m = ENUM_LITERAL.exec(rest);
    if (m) {
      tokens.push({
        t: 'lit',
        v: { type: 'literal', kind: 'enum', enumType: m[2]!, value: m[3]!.replace(/''/g, "'") },
        pos: i,
      });
      i += m[0].length;
      continue;
    }
    m = DATETIME_LITERAL.exec(rest) ?? DATE_LITERAL.exec(rest);
    if (m) {
      const text = m[0];
      const ms = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
      if (Number.isNaN(ms))
        throw invalidQuery(`Unrecognized date literal '${text}' at position ${i} in '${src}'.`);
      tokens.push({ t: 'lit', v: { type: 'literal', kind: 'date', value: ms, text }, pos: i });
      i += text.length;
      continue;
    }
    m = NUMBER_LITERAL.exec(rest);
    if (m) {
      tokens.push({
        t: 'lit',
        v: { type: 'literal', kind: 'number', value: Number.parseFloat(m[0]) },
        pos: i,
      });
      i += m[0].length;
      continue;
    }
    m = WORD.exec(rest);
    if (m) {
      const w = m[0];
      if (w === 'true' || w === 'false')
        tokens.push({ t: 'lit', v: { type: 'literal', kind: 'bool', value: w === 'true' }, pos: i });
      else if (w === 'null')
        tokens.push({ t: 'lit', v: { type: 'literal', kind: 'null', value: null }, pos: i });
      else tokens.push({ t: 'word', v: w, pos: i });
      i += w.length;
      continue;
    }
    throw invalidQuery(`Syntax error: character '${ch}' is not valid at position ${i} in '${src}'.`);
  }
  return tokens;
}

const COMPARE = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const ARITHMETIC = new Set(['add', 'sub', 'mul', 'div', 'divby', 'mod']);

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly src: string,
  ) {}

  parse(): FilterNode {
    if (this.tokens.length === 0) throw invalidQuery('The $filter expression must not be empty.');
    const node = this.or();
    const extra = this.tokens[this.i];
    if (extra) throw this.syntax(extra.pos);
    return node;
  }

  private peekWord(): string | undefined {
    const t = this.tokens[this.i];
    return t?.t === 'word' ? t.v : undefined;
  }

  private or(): FilterNode {
    let left = this.and();
    while (this.peekWord() === 'or') {
      this.i++;
      left = { type: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): FilterNode {
    let left = this.not();
    while (this.peekWord() === 'and') {
      this.i++;
      left = { type: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): FilterNode {
    if (this.peekWord() === 'not') {
      this.i++;
      return { type: 'not', expr: this.not() };
    }
    return this.comparison();
  }

  private comparison(): FilterNode {
    const t = this.tokens[this.i];
    if (t?.t === 'op' && t.v === '(') {
      this.i++;
      const inner = this.or();
      const close = this.tokens[this.i];
      if (!(close?.t === 'op' && close.v === ')')) throw this.syntax(close?.pos ?? this.src.length);
      this.i++;
      return this.maybeCompare(inner);
    }
    const left = this.operand();
    const op = this.peekWord();
    if (op && COMPARE.has(op)) {
      this.i++;
      return { type: 'cmp', op: op as CompareOp, left, right: this.operand() };
    }
    this.rejectOperator(op);
    return { type: 'bool', operand: left };
  }

  /** `(expr)` may only be followed by a logical operator; reject `(a) eq 1`-style arithmetic grouping. */
  private maybeCompare(inner: FilterNode): FilterNode {
    const op = this.peekWord();
    if (op && COMPARE.has(op))
      throw invalidQuery(
        `Comparing a parenthesised expression is not supported by the emulator ('${this.src}').`,
      );
    this.rejectOperator(op);
    return inner;
  }

  private rejectOperator(op: string | undefined): void {
    if (op === 'in' || op === 'has') {
      throw plainError(
        400,
        `The query specified in the URI is not valid. The '${op}' operator is not supported.`,
      );
    }
    if (op && ARITHMETIC.has(op)) {
      throw invalidQuery(
        `The arithmetic operator '${op}' is not supported by the emulator (F&O supports it).`,
      );
    }
  }

  private operand(): Operand {
    const t = this.tokens[this.i];
    if (!t) throw this.syntax(this.src.length);
    if (t.t === 'lit') {
      this.i++;
      return t.v;
    }
    if (t.t === 'word') {
      const next = this.tokens[this.i + 1];
      if (next?.t === 'op' && next.v === '(') {
        throw plainError(
          400,
          `The query specified in the URI is not valid. The function '${t.v}' is not supported; use a wildcard instead, e.g. Name eq '*text*'.`,
        );
      }
      if (COMPARE.has(t.v) || t.v === 'and' || t.v === 'or' || t.v === 'not') throw this.syntax(t.pos);
      this.i++;
      return { type: 'field', name: t.v };
    }
    throw this.syntax(t.pos);
  }

  private syntax(pos: number) {
    return invalidQuery(`Syntax error at position ${pos} in '${this.src}'.`);
  }
}

export function parseFilter(src: string): FilterNode {
  return new Parser(tokenize(src), src).parse();
}

// ---------------------------------------------------------------------------------------------------
// Binding to an entity

export type Predicate = (row: Row) => boolean;

type Getter = (row: Row) => unknown;

const EDM: Record<string, string> = {
  string: 'Edm.String',
  decimal: 'Edm.Decimal',
  int32: 'Edm.Int32',
  int64: 'Edm.Int64',
  guid: 'Edm.Guid',
  binary: 'Edm.Binary',
  date: 'Edm.DateTimeOffset',
  datetime: 'Edm.DateTimeOffset',
};

function operandType(o: Operand, schema: EntitySchema): string {
  if (o.type === 'field') {
    const spec = schema.fields.get(o.name)!;
    return spec.kind === 'enum' ? `Microsoft.Dynamics.DataEntities.${spec.enumType}` : EDM[spec.kind]!;
  }
  switch (o.kind) {
    case 'string':
      return 'Edm.String';
    case 'number':
      return 'Edm.Decimal';
    case 'date':
      return 'Edm.DateTimeOffset';
    case 'enum':
      return `Microsoft.Dynamics.DataEntities.${o.enumType}`;
    case 'bool':
      return 'Edm.Boolean';
    case 'null':
      return 'null';
  }
}

const OP_KIND: Record<CompareOp, string> = {
  eq: 'Equal',
  ne: 'NotEqual',
  gt: 'GreaterThan',
  ge: 'GreaterThanOrEqual',
  lt: 'LessThan',
  le: 'LessThanOrEqual',
};

function family(type: string): string {
  if (type.startsWith('Microsoft.')) return type;
  if (type === 'Edm.Decimal' || type === 'Edm.Int32' || type === 'Edm.Int64') return 'number';
  return type;
}

export function compileFilter(node: FilterNode, schema: EntitySchema, typeName: string): Predicate {
  const fieldSpec = (name: string): FieldSpec => {
    const spec = schema.fields.get(name);
    if (!spec) {
      if (schema.realProperties.has(name)) {
        throw invalidQuery(
          `Property '${name}' exists in F&O but is not emulated; filter on an emulated field.`,
        );
      }
      throw invalidQuery(
        `Could not find a property named '${name}' on type 'Microsoft.Dynamics.DataEntities.${typeName}'.`,
      );
    }
    return spec;
  };

  const getter = (o: Operand): Getter => {
    if (o.type === 'field') {
      const spec = fieldSpec(o.name);
      if (spec.kind === 'date' || spec.kind === 'datetime') {
        return (row) => {
          const v = row[o.name];
          return typeof v === 'string' ? Date.parse(v) : v;
        };
      }
      return (row) => row[o.name];
    }
    const v = o.value;
    return () => v;
  };

  const compile = (n: FilterNode): Predicate => {
    switch (n.type) {
      case 'and': {
        const l = compile(n.left);
        const r = compile(n.right);
        return (row) => l(row) && r(row);
      }
      case 'or': {
        const set = anyOfStrings(n);
        // `F eq 'a' or F eq 'b' or …` on a text field (how clients write "in"): one lookup per row
        // instead of a comparison per term, as a database index would; same case-insensitive
        // equality. Anything else (other types, errors to report) takes the general path.
        if (
          set &&
          schema.fields.has(set.field) &&
          operandType({ type: 'field', name: set.field }, schema) === 'Edm.String'
        ) {
          return (row) => {
            const v = row[set.field];
            return v !== null && set.values.has(String(v ?? '').toLowerCase());
          };
        }
        const l = compile(n.left);
        const r = compile(n.right);
        return (row) => l(row) || r(row);
      }
      case 'not': {
        const e = compile(n.expr);
        return (row) => !e(row);
      }
      case 'bool': {
        if (n.operand.type === 'literal' && n.operand.kind === 'bool') {
          const v = n.operand.value;
          return () => v;
        }
        throw invalidQuery('The $filter expression must evaluate to a single boolean value.');
      }
      case 'cmp':
        return compileComparison(n.op, n.left, n.right);
    }
  };

  const compileComparison = (op: CompareOp, left: Operand, right: Operand): Predicate => {
    if (left.type === 'field') fieldSpec(left.name);
    if (right.type === 'field') fieldSpec(right.name);
    const lt = operandType(left, schema);
    const rt = operandType(right, schema);
    const isNull = lt === 'null' || rt === 'null';
    if (!isNull && family(lt) !== family(rt)) {
      throw plainError(
        400,
        `The query specified in the URI is not valid. A binary operator with incompatible types was detected. Found operand types '${lt}' and '${rt}' for operator kind '${OP_KIND[op]}'.`,
      );
    }
    if ((lt.startsWith('Microsoft.') || rt.startsWith('Microsoft.')) && op !== 'eq' && op !== 'ne') {
      throw invalidQuery(`Enumeration values only support the 'eq' and 'ne' operators.`);
    }
    const gl = getter(left);
    const gr = getter(right);
    const stringCompare = family(lt) === 'Edm.String' || family(rt) === 'Edm.String';
    // `*` in a string literal compared with eq/ne is F&O's wildcard ("contains" is written eq '*x*').
    const literal = right.type === 'literal' ? right : left.type === 'literal' ? left : undefined;
    if (
      stringCompare &&
      (op === 'eq' || op === 'ne') &&
      literal?.kind === 'string' &&
      literal.value.includes('*')
    ) {
      const re = new RegExp(`^${literal.value.split('*').map(escapeRegExp).join('.*')}$`, 'is');
      const field = literal === right ? gl : gr;
      return op === 'eq'
        ? (row) => re.test(String(field(row) ?? ''))
        : (row) => !re.test(String(field(row) ?? ''));
    }
    const cmp = stringCompare ? compareStrings : compareValues;
    switch (op) {
      case 'eq':
        return (row) => cmp(gl(row), gr(row)) === 0;
      case 'ne':
        return (row) => cmp(gl(row), gr(row)) !== 0;
      case 'gt':
        return (row) => cmp(gl(row), gr(row)) > 0;
      case 'ge':
        return (row) => cmp(gl(row), gr(row)) >= 0;
      case 'lt':
        return (row) => cmp(gl(row), gr(row)) < 0;
      case 'le':
        return (row) => cmp(gl(row), gr(row)) <= 0;
    }
  };

  return compile(node);
}

/**
 * The field and lower-cased values when `node` is only `or`s of `field eq 'text'` on one string
 * field (no wildcard); undefined otherwise.
 */
function anyOfStrings(node: FilterNode): { field: string; values: Set<string> } | undefined {
  let field: string | undefined;
  const values = new Set<string>();
  const stack: FilterNode[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'or') {
      stack.push(n.left, n.right);
      continue;
    }
    if (n.type !== 'cmp' || n.op !== 'eq' || n.left.type !== 'field') return undefined;
    const lit = n.right;
    if (lit.type !== 'literal' || lit.kind !== 'string' || lit.value.includes('*')) return undefined;
    if (field !== undefined && field !== n.left.name) return undefined;
    field = n.left.name;
    values.add(lit.value.toLowerCase());
  }
  return field === undefined ? undefined : { field, values };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Case-insensitive, like F&O's database collation. */
export function compareStrings(a: unknown, b: unknown): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  const x = String(a ?? '').toLowerCase();
  const y = String(b ?? '').toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export function compareValues(a: unknown, b: unknown): number {
  if (a === null || b === null || a === undefined || b === undefined) return a === b ? 0 : a == null ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return compareStrings(a, b);
}
