/**
 * Typed Salesforce errors. `transient` tells the job queue whether a retry later can succeed
 * (server busy, network, API limit) or not (bad data, missing field, wrong credentials).
 */

export interface SalesforceErrorDetail {
  errorCode: string;
  message: string;
  fields: string[];
}

export abstract class SalesforceError extends Error {
  abstract readonly transient: boolean;
}

/** The JWT bearer login failed (`invalid_grant`, `invalid_client_id`, …) or could not reach Salesforce. */
export class SalesforceAuthError extends SalesforceError {
  readonly error: string;
  readonly description: string;
  readonly status: number | undefined;
  readonly transient: boolean;

  constructor(init: {
    error: string;
    description: string;
    status?: number;
    transient?: boolean;
    cause?: unknown;
  }) {
    super(`Salesforce login failed: ${init.error}: ${init.description}`, { cause: init.cause });
    this.name = 'SalesforceAuthError';
    this.error = init.error;
    this.description = init.description;
    this.status = init.status;
    this.transient = init.transient ?? (init.status === undefined || init.status >= 500);
  }
}

const TRANSIENT_CODES = new Set([
  'UNABLE_TO_LOCK_ROW',
  'SERVER_UNAVAILABLE',
  'REQUEST_RUNNING_TOO_LONG',
  'QUERY_TIMEOUT',
  'NETWORK_ERROR',
  'TIMEOUT',
  'UNPROCESSED',
]);

export function isTransientCode(errorCode: string, status?: number): boolean {
  return TRANSIENT_CODES.has(errorCode) || (status !== undefined && status >= 500);
}

/** A REST call answered with an error body (`[{ message, errorCode, fields }]`). */
export class SalesforceApiError extends SalesforceError {
  readonly status: number;
  readonly errorCode: string;
  readonly fields: string[];
  readonly errors: SalesforceErrorDetail[];
  readonly transient: boolean;
  /** Results of the chunks that completed before a chunk-level failure (collections upsert). */
  partialResults?: unknown[];

  constructor(init: {
    status: number;
    errors: SalesforceErrorDetail[];
    transient?: boolean;
    cause?: unknown;
  }) {
    const first = init.errors[0] ?? { errorCode: 'UNKNOWN', message: `HTTP ${init.status}`, fields: [] };
    super(`${first.errorCode}: ${first.message}`, { cause: init.cause });
    this.name = 'SalesforceApiError';
    this.status = init.status;
    this.errorCode = first.errorCode;
    this.fields = first.fields;
    this.errors = init.errors;
    this.transient = init.transient ?? isTransientCode(first.errorCode, init.status);
  }
}

/**
 * `REQUEST_LIMIT_EXCEEDED`: the org's daily API budget (or the concurrent long-running cap) is
 * used up. The client stops calling until `retryAfterMs` has passed instead of hammering.
 */
export class SalesforceLimitError extends SalesforceApiError {
  readonly retryAfterMs: number;
  readonly limit: 'daily' | 'concurrent';

  constructor(init: {
    status: number;
    errors: SalesforceErrorDetail[];
    retryAfterMs: number;
    limit: 'daily' | 'concurrent';
  }) {
    super({ ...init, transient: true });
    this.name = 'SalesforceLimitError';
    this.retryAfterMs = init.retryAfterMs;
    this.limit = init.limit;
  }
}
