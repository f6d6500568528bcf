/**
 * `openStore(url)` picks the adapter from the URL:
 *   sqlite:<path>            e.g. `sqlite:./data/fobridge.db`, `sqlite:/var/lib/fobridge/jobs.db`
 *   postgres://… / postgresql://…   optional `?schema=<name>` (default `public`)
 * and composes the store (`store/compose.ts`) over that adapter's connection.
 */
import { composeStore } from './store/compose.js';
import { openPostgresConnection, type PostgresStoreOptions } from './store/postgres/connection.js';
import { openSqliteConnection, type SqliteStoreOptions } from './store/sqlite/connection.js';
import type { Store } from './types.js';

export type OpenStoreOptions = SqliteStoreOptions & PostgresStoreOptions;

export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<Store> {
  if (url.startsWith('sqlite:')) {
    let path = url.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2); // tolerate sqlite:///abs/path and sqlite://rel
    if (path === '')
      throw new TypeError('STORE_URL sqlite: needs a file path, e.g. sqlite:./data/fobridge.db');
    return composeStore(openSqliteConnection(path, opts));
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return composeStore(await openPostgresConnection(url, opts));
  }
  throw new TypeError(`Unsupported STORE_URL "${redactUrl(url)}": use sqlite:<path> or postgres://…`);
}

/** For messages and logs: never print a password from a connection string. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
