// Reading the SFDX project: package directories and the source files inside them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface SfdxProject {
  packageDirs: string[];
}

/** Reads `sfdx-project.json`; throws a readable error when it is missing or has no package directory. */
export function readSfdxProject(projectDir: string): SfdxProject {
  const file = path.join(projectDir, 'sfdx-project.json');
  if (!existsSync(file)) throw new Error(`no sfdx-project.json in ${projectDir}`);
  const json = JSON.parse(readFileSync(file, 'utf8')) as { packageDirectories?: { path?: unknown }[] };
  const dirs = (json.packageDirectories ?? [])
    .map((d) => d.path)
    .filter((p): p is string => typeof p === 'string')
    .map((p) => path.resolve(projectDir, p));
  if (dirs.length === 0) throw new Error(`${file} declares no packageDirectories`);
  return { packageDirs: dirs };
}

/** Every file below `dir` (absolute paths, sorted); skips node_modules and dot-folders. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}

/** Files below the package directories whose name matches `test`. */
export function sourceFiles(packageDirs: string[], test: (file: string) => boolean): string[] {
  return packageDirs.flatMap((d) => listFiles(d)).filter(test);
}

export const isApex = (f: string): boolean => f.endsWith('.cls') || f.endsWith('.trigger');

/** Jest tests and editor files live next to LWC sources but are not deployable metadata. */
export const isLwcTestOrTooling = (f: string): boolean =>
  f.split(path.sep).includes('__tests__') || path.basename(f) === 'jsconfig.json';

/** A 1-based line and column for a 0-based character offset in `text`. */
export function positionOf(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}
