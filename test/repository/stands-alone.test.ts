/**
 * The repository stands alone: a clone in an empty folder runs every test, so no tracked file
 * may point at a folder outside it (a sibling checkout, a developer's own tree) or
 * cite notes that only exist there. And every recorded fixture says where it comes from.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

// Built from pieces so that this file does not match itself.
const FORBIDDEN: Array<[RegExp, string]> = [
  [new RegExp(['\\.\\.', 'shared'].join('/')), 'a folder beside the repository'],
  [new RegExp(['', 'work', ''].join('/')), 'a developer machine path'],
  [new RegExp(['shared', '(reference|fixtures)'].join('/')), 'a folder outside the repository'],
  [new RegExp(['FOB', 'SHARED', 'DIR'].join('_')), 'the old override for that folder'],
  [
    new RegExp(`\\b(${['design', 'style', 'tooling', 'users'].join('|')})\\.md\\b`),
    'notes not in the repository',
  ],
];

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
}

const BINARY = /\.(zip|png|jpg|ico|woff2?|ttf)$/i;

describe('the repository stands alone', () => {
  it('no tracked file refers to a folder outside the repository', () => {
    const files = trackedFiles();
    expect(files.length).toBeGreaterThan(100);
    const hits: string[] = [];
    for (const file of files) {
      if (BINARY.test(file) || file === 'package-lock.json') continue;
      const text = readFileSync(join(root, file), 'utf8');
      text.split('\n').forEach((line, i) => {
        for (const [pattern, what] of FORBIDDEN)
          if (pattern.test(line)) hits.push(`${file}:${i + 1}: ${what}: ${line.trim().slice(0, 120)}`);
      });
    }
    expect(hits).toEqual([]);
  });

  it('every recorded fixture is listed in test/fixtures/recorded/SOURCES.md', () => {
    const dir = join(root, 'test/fixtures/recorded');
    const sources = readFileSync(join(dir, 'SOURCES.md'), 'utf8');
    const files = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name !== 'SOURCES.md')
      .map((e) => relative(dir, join(e.parentPath, e.name)));
    expect(files.length).toBeGreaterThan(20);
    expect(files.filter((f) => !sources.includes(`\`${f.split('/').at(-1)}\``))).toEqual([]);
  });
});
