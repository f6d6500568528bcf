import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config.js';

const variables = Object.keys(configSchema.shape);
const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

describe('configuration documentation', () => {
  it.each(['docs/configuration.md', 'README.md'])('%s lists every variable of the schema', (path) => {
    const text = read(path);
    const missing = variables.filter((v) => !text.includes(`| \`${v}\``));
    expect(missing).toEqual([]);
  });

  it('documents no variable the proxy does not read', () => {
    const documented = [...read('docs/configuration.md').matchAll(/^\| `([A-Z0-9_]+)`/gm)].map((m) => m[1]);
    expect(documented.filter((v) => !variables.includes(v!))).toEqual([]);
  });
});
