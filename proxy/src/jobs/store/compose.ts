/**
 * The whole store over one connection: for each concern, its half for the connection's dialect.
 * A concern's interface and its two halves live side by side in `<concern>/`.
 */
import { postgresDeadLetters } from './dead-letters/postgres.js';
import { sqliteDeadLetters } from './dead-letters/sqlite.js';
import { postgresHousekeeping } from './housekeeping/postgres.js';
import { sqliteHousekeeping } from './housekeeping/sqlite.js';
import { postgresJobs } from './jobs/postgres.js';
import { sqliteJobs } from './jobs/sqlite.js';
import { postgresNumbers } from './numbers/postgres.js';
import { sqliteNumbers } from './numbers/sqlite.js';
import { postgresPause } from './pause/postgres.js';
import { sqlitePause } from './pause/sqlite.js';
import type { PostgresConnection } from './postgres/connection.js';
import { postgresSchedules } from './schedules/postgres.js';
import { sqliteSchedules } from './schedules/sqlite.js';
import type { SqliteConnection } from './sqlite/connection.js';
import { postgresTokenIds } from './token-ids/postgres.js';
import { sqliteTokenIds } from './token-ids/sqlite.js';
import type { Store } from '../types.js';

export type StoreConnection = SqliteConnection | PostgresConnection;

export function composeStore(c: StoreConnection): Store {
  return {
    kind: c.kind,
    ...(c.kind === 'sqlite' ? sqliteJobs(c) : postgresJobs(c)),
    ...(c.kind === 'sqlite' ? sqliteDeadLetters(c) : postgresDeadLetters(c)),
    ...(c.kind === 'sqlite' ? sqliteHousekeeping(c) : postgresHousekeeping(c)),
    ...(c.kind === 'sqlite' ? sqliteSchedules(c) : postgresSchedules(c)),
    ...(c.kind === 'sqlite' ? sqliteNumbers(c) : postgresNumbers(c)),
    ...(c.kind === 'sqlite' ? sqlitePause(c) : postgresPause(c)),
    ...(c.kind === 'sqlite' ? sqliteTokenIds(c) : postgresTokenIds(c)),
    ping: () => c.ping(),
    close: () => c.close(),
  };
}
