/**
 * A SQLite store's folder is created when it is missing: the default `sqlite:./data/bridge.db`
 * must work on a fresh clone (`npm run build && npm start`) without a manual `mkdir`.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** The file path of a `sqlite:` STORE_URL (`sqlite:///abs` and `sqlite://rel` tolerated), else undefined. */
export function sqlitePath(storeUrl: string): string | undefined {
  if (!storeUrl.startsWith('sqlite:')) return undefined;
  let path = storeUrl.slice('sqlite:'.length);
  if (path.startsWith('//')) path = path.slice(2);
  return path === '' || path === ':memory:' ? undefined : path;
}

export function ensureSqliteDirectory(storeUrl: string): void {
  const path = sqlitePath(storeUrl);
  if (path) mkdirSync(dirname(path), { recursive: true });
}
