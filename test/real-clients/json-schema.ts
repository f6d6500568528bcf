/**
 * Checks a value against a draft-07 JSON Schema of the kind the Salesforce CLI plugins ship for
 * their `--json` output (`node_modules/@salesforce/plugin-*\/schemas/*.json`): `$ref` into
 * `definitions`, `type` (also as a list), `properties`, `required`, `items`, `anyOf`, `enum`,
 * `const`, `not: {}` and `additionalProperties: false`. Returns the problems found, `[]` when
 * the value fits. With `open`, extra properties are allowed: some schemas are generated from
 * client types and list fewer properties than a real org sends (describe's `urls`).
 */

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  not?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  definitions?: Record<string, JsonSchema>;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function fitsType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  if (type === 'integer') return Number.isInteger(value);
  return actual === type;
}

export function checkSchema(root: JsonSchema, value: unknown, options: { open?: boolean } = {}): string[] {
  const problems: string[] = [];
  const visit = (schema: JsonSchema, v: unknown, at: string): void => {
    if (schema.$ref) {
      const name = schema.$ref.replace('#/definitions/', '');
      const target = root.definitions?.[name];
      if (!target) return void problems.push(`${at}: unknown $ref ${schema.$ref}`);
      return visit(target, v, at);
    }
    if (schema.not && Object.keys(schema.not).length === 0 && v !== undefined) {
      problems.push(`${at}: must be absent`);
      return;
    }
    if (schema.anyOf) {
      const fits = schema.anyOf.some((s) => {
        const before = problems.length;
        visit(s, v, at);
        const ok = problems.length === before;
        problems.length = before;
        return ok;
      });
      if (!fits) problems.push(`${at}: fits none of anyOf`);
      return;
    }
    if (schema.type) {
      const types = Array.isArray(schema.type) ? schema.type : [schema.type];
      if (!types.some((t) => fitsType(v, t))) {
        problems.push(`${at}: expected ${types.join('|')}, got ${typeOf(v)}`);
        return;
      }
    }
    if (schema.const !== undefined && v !== schema.const)
      problems.push(`${at}: must be ${String(schema.const)}`);
    if (schema.enum && !schema.enum.includes(v)) problems.push(`${at}: ${String(v)} not in enum`);
    if (Array.isArray(v) && schema.items) v.forEach((item, i) => visit(schema.items!, item, `${at}[${i}]`));
    if (typeOf(v) === 'object') {
      const obj = v as Record<string, unknown>;
      for (const key of schema.required ?? []) {
        if (!(key in obj)) problems.push(`${at}.${key}: required`);
      }
      for (const [key, val] of Object.entries(obj)) {
        const prop = schema.properties?.[key];
        if (prop) visit(prop, val, `${at}.${key}`);
        else if (schema.additionalProperties === false && !options.open)
          problems.push(`${at}.${key}: not in the schema`);
      }
    }
  };
  visit(root, value, '$');
  return problems;
}
