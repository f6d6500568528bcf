/**
 * Entity keys in URLs: `Set(dataAreaId='usmf',CustomerAccount='US-001')`. F&O wants every key part
 * named (§2); strings single-quoted with '' escaping, numbers bare.
 */
import type { Row } from '../entities/schema.js';
import type { EntityDef } from '../entities/types.js';
import { plainError } from './errors.js';

export function parseKeyPredicate(def: EntityDef, inner: string): Row {
  const parts: Array<[string, string]> = [];
  let i = 0;
  while (i < inner.length) {
    const eq = inner.indexOf('=', i);
    if (eq < 0) throw keyError(def, inner);
    const name = inner.slice(i, eq).trim();
    let j = eq + 1;
    let raw = '';
    if (inner[j] === "'") {
      j++;
      for (;;) {
        if (j >= inner.length) throw keyError(def, inner);
        if (inner[j] === "'") {
          if (inner[j + 1] === "'") {
            raw += "'";
            j += 2;
            continue;
          }
          j++;
          break;
        }
        raw += inner[j];
        j++;
      }
      parts.push([name, `s:${raw}`]);
    } else {
      const end = inner.indexOf(',', j);
      raw = inner.slice(j, end < 0 ? inner.length : end).trim();
      j = end < 0 ? inner.length : end;
      parts.push([name, `n:${raw}`]);
    }
    while (inner[j] === ' ') j++;
    if (j < inner.length && inner[j] !== ',') throw keyError(def, inner);
    i = j + 1;
  }
  const key: Row = {};
  for (const [name, tagged] of parts) {
    const spec = def.schema.fields.get(name);
    if (!spec || !def.schema.keys.includes(name)) throw keyError(def, inner);
    const value = tagged.slice(2);
    if (tagged.startsWith('s:')) {
      if (spec.kind !== 'string' && spec.kind !== 'date' && spec.kind !== 'datetime' && spec.kind !== 'enum')
        throw keyError(def, inner);
      key[name] = value;
    } else {
      if (spec.kind === 'date' || spec.kind === 'datetime') {
        const ms = Date.parse(value);
        if (Number.isNaN(ms)) throw keyError(def, inner);
        key[name] =
          spec.kind === 'date'
            ? `${value.slice(0, 10)}T12:00:00Z`
            : `${new Date(ms).toISOString().slice(0, 19)}Z`;
      } else {
        const n = Number(value);
        if (!Number.isFinite(n) || spec.kind === 'string') throw keyError(def, inner);
        key[name] = n;
      }
    }
  }
  if (def.schema.keys.some((k) => !(k in key)) || Object.keys(key).length !== def.schema.keys.length)
    throw keyError(def, inner);
  return key;
}

function keyError(def: EntityDef, inner: string) {
  return plainError(
    400,
    `The key '${inner}' is not valid for entity set '${def.set}'. All key properties must be named: ${def.schema.keys.join(', ')}.`,
  );
}

/** `dataAreaId='usmf',CustomerAccount='US-001'` for a row (dataAreaId first, as F&O lists it). */
export function formatKey(def: EntityDef, row: Row): string {
  return def.schema.keys
    .map((k) => {
      const v = row[k];
      const spec = def.schema.fields.get(k);
      if (spec?.kind === 'string') return `${k}='${String(v).replace(/'/g, "''")}'`;
      if (spec?.kind === 'date' || spec?.kind === 'datetime') return `${k}=${String(v)}`;
      return `${k}=${String(v)}`;
    })
    .join(',');
}
