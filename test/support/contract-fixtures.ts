/**
 * The contract fixtures: JSON files in force-app's static resources that the Apex tests use as
 * mock requests and responses, and that the proxy's tests read to prove both sides agree.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const resources = fileURLToPath(new URL('../../force-app/main/default/staticresources/', import.meta.url));

/** Path of `force-app/main/default/staticresources/<name>.json`. */
export function contractFixturePath(name: string): string {
  return `${resources}${name}.json`;
}

/** The parsed fixture, e.g. `contractFixture('BridgeContract_InventoryResponse')`. */
export function contractFixture(name: string): any {
  return JSON.parse(readFileSync(contractFixturePath(name), 'utf8'));
}

/** Every key path of a JSON value with its type (array elements collapsed), to compare shapes. */
export function jsonShape(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value))
    return value.length ? [...new Set(value.flatMap((v) => jsonShape(v, `${prefix}[]`)))] : [`${prefix}[]`];
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => [
      `${prefix}.${k}:${Array.isArray(v) ? 'array' : typeof v}`,
      ...jsonShape(v, `${prefix}.${k}`),
    ]);
  return [];
}
