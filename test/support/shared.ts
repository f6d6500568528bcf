/**
 * The workplace's shared/ folder (reference docs, recorded F&O responses) sits beside the
 * repository — in development (`/work/shared`) and in CI (a copy beside the fresh clone).
 * `FOB_SHARED_DIR` overrides it.
 */
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export function sharedPath(...parts: string[]): string {
  return join(process.env.FOB_SHARED_DIR ?? resolve(repoRoot, '..', 'shared'), ...parts);
}
