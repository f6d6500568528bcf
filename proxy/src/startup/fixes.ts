/** What an operator does about a start-up failure of each setting (one clause each). */

export const BRIDGE_FIX =
  'point BRIDGE_CONFIG at a valid mapping file (docs/mapping.md) or unset it to start without one';

export function storeFix(storeUrl: string): string {
  return storeUrl.startsWith('sqlite:')
    ? 'point STORE_URL at a file in a folder this user can write, e.g. sqlite:./data/bridge.db'
    : 'start PostgreSQL or correct STORE_URL (postgres://user@host:5432/database)';
}
