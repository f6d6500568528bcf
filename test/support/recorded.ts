/**
 * The recorded responses of real F&O environments and Microsoft's sample data package, kept in
 * the repository (test/fixtures/recorded/d365/; where each file comes from is in
 * test/fixtures/recorded/SOURCES.md), so a fresh clone runs every test with nothing beside it.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const recorded = fileURLToPath(new URL('../fixtures/recorded/d365/', import.meta.url));

/** Path of `test/fixtures/recorded/d365/<parts…>`, e.g. `recordedD365('odata')`. */
export function recordedD365(...parts: string[]): string {
  return join(recorded, ...parts);
}
