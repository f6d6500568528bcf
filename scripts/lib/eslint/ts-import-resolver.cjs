/**
 * An eslint-plugin-import resolver (interface v2) for this repository's TypeScript: imports
 * name the compiled file (`./queue.js`) while the source is `./queue.ts`. Only relative
 * imports are resolved — the architecture rules (`import/no-restricted-paths`,
 * `import/no-cycle`) are about our own modules; packages resolve to "not found" and are
 * ignored by those rules.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const isFile = (p) => {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};

exports.interfaceVersion = 2;

exports.resolve = function resolve(source, file) {
  if (!source.startsWith('./') && !source.startsWith('../')) return { found: false };
  const base = path.resolve(path.dirname(file), source);
  const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`];
  for (const candidate of candidates) if (isFile(candidate)) return { found: true, path: candidate };
  return { found: false };
};
