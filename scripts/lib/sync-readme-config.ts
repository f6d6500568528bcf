/**
 * Copies the variable table of docs/configuration.md into README.md between the
 * config-table markers, so the two lists cannot drift (`npm run docs:config`).
 * With --check it only reports whether README is current.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const readmePath = fileURLToPath(new URL('../../README.md', import.meta.url));
const docsPath = fileURLToPath(new URL('../../docs/configuration.md', import.meta.url));

const table = readFileSync(docsPath, 'utf8')
  .split('\n')
  .filter((line) => line.startsWith('|'))
  // Links in docs/ are relative to docs/; the README sits one folder up.
  .map((line) => line.replace(/\]\((?!https?:|#|docs\/)([^)]+)\)/g, '](docs/$1)'))
  .join('\n');
const readme = readFileSync(readmePath, 'utf8');
const updated = readme.replace(
  /<!-- config-table:start -->[\s\S]*<!-- config-table:end -->/,
  `<!-- config-table:start -->\n${table}\n<!-- config-table:end -->`,
);
if (process.argv.includes('--check')) {
  if (updated !== readme) {
    console.error('README.md configuration table is stale: run `npm run docs:config`.');
    process.exit(1);
  }
} else {
  writeFileSync(readmePath, updated);
}
