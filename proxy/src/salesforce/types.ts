import type { SalesforceErrorDetail } from './errors.js';

/** Minimal pino-compatible logger (pino's Logger fits). */
export interface LoggerLike {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: LoggerLike = { debug() {}, info() {}, warn() {}, error() {} };

export type SfRecord = Record<string, unknown>;

/** The outcome for one input record of a multi-record write; failures are data, not exceptions. */
export interface RecordResult {
  /** Position of the record in the input array. */
  index: number;
  /** The External ID value of the record (upserts). */
  externalId?: string;
  id: string | null;
  success: boolean;
  created?: boolean;
  errors: SalesforceErrorDetail[];
  /** True when a retry later may succeed (rolled back by allOrNone, row lock, not processed). */
  transient?: boolean;
}

export interface UpsertManyResult {
  mode: 'collections' | 'bulk';
  results: RecordResult[];
  successCount: number;
  failureCount: number;
}

export interface QueryPage<T> {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: T[];
}

export interface SessionInfo {
  accessToken: string;
  instanceUrl: string;
  /** Identity URL `…/id/<orgId>/<userId>`. */
  id: string;
  issuedAt: number;
}
