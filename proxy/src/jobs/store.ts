/**
 * `openStore(url)` picks the adapter from the URL:
 *   sqlite:<path>            e.g. `sqlite:./data/fobridge.db`, `sqlite:/var/lib/fobridge/jobs.db`
 *   postgres://… / postgresql://…   optional `?schema=<name>` (default `public`)
 */
import { openPostgresStore, type PostgresStoreOptions } from './postgres-store.js';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import type { Store } from './types.js';

export type OpenStoreOptions = SqliteStoreOptions & PostgresStoreOptions;

export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<Store> {
  if (url.startsWith('sqlite:')) {
    let path = url.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2); // tolerate sqlite:///abs/path and sqlite://rel
    if (path === '')
      throw new TypeError('STORE_URL sqlite: needs a file path, e.g. sqlite:./data/fobridge.db');
    return openSqliteStore(path, opts);
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return openPostgresStore(url, opts);
  }
  throw new TypeError(`Unsupported STORE_URL "${redactUrl(url)}": use sqlite:<path> or postgres://…`);
}

/** For messages and logs: never print a password from a connection string. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
