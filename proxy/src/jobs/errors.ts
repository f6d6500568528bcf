/**
 * Errors of the jobs module. Each has a stable `code`; which HTTP answer a code becomes is the
 * HTTP layer's business (`http/error-handler.ts`), not this module's.
 *
 * Handler-side classification (what a flow throws from a job handler) is by shape, not class:
 * any error with `transient === false` is permanent (dead letter now), `retryAfterMs` sets the
 * earliest retry; `PermanentJobError` / `TransientJobError` are conveniences that set those fields.
 */

import { DomainError } from '../domain-error.js';

export abstract class JobsError extends DomainError {}

/** The store cannot be written or read (read-only file, disk full, database down). */
export class StoreUnavailableError extends JobsError {
  readonly code = 'STORE_UNAVAILABLE';
  constructor(detail: string, cause?: unknown) {
    super(`Job store unavailable: ${detail}`, cause === undefined ? undefined : { cause });
  }
}

/** Enqueue input failed validation; nothing was enqueued. */
export class JobValidationError extends JobsError {
  readonly code = 'JOB_VALIDATION';
  constructor(
    message: string,
    readonly issues: Array<{ path: string; message: string }>,
  ) {
    super(message);
  }
}

/** Serialized payload is larger than JOB_MAX_PAYLOAD_BYTES; nothing was enqueued. */
export class PayloadTooLargeError extends JobsError {
  readonly code = 'JOB_PAYLOAD_TOO_LARGE';
  constructor(
    readonly bytes: number,
    readonly limit: number,
    where: string,
  ) {
    super(`Job payload of ${where} is ${bytes} bytes; the limit is ${limit} bytes (JOB_MAX_PAYLOAD_BYTES)`);
  }
}

export class JobNotFoundError extends JobsError {
  readonly code = 'JOB_NOT_FOUND';
  constructor(readonly id: string) {
    super(`No job with id ${id}`);
  }
}

/** The job exists but is not in a state that allows the operation (e.g. replay of a done job). */
export class JobStateConflictError extends JobsError {
  readonly code = 'JOB_NOT_DEAD';
  constructor(
    readonly id: string,
    readonly state: string,
    operation: string,
  ) {
    super(`Job ${id} is ${state}; only dead letters can be ${operation}`);
  }
}

export class NumberRangeExhaustedError extends JobsError {
  readonly code = 'NUMBER_RANGE_EXHAUSTED';
  constructor(
    readonly sequence: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(
      `Number range of sequence "${sequence}" (${start}..${end}) is exhausted: configure a new range before more records can be created`,
    );
  }
}

export interface JobErrorInit {
  code: string;
  message: string;
  details?: unknown;
  cause?: unknown;
}

/** Thrown by a handler: no retry can succeed (F&O validation 400, INVALID_FIELD, unmapped legal entity…). */
export class PermanentJobError extends Error {
  readonly transient = false;
  readonly code: string;
  readonly details: unknown;
  constructor(init: JobErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'PermanentJobError';
    this.code = init.code;
    this.details = init.details;
  }
}

/** Thrown by a handler: try again, not before `retryAfterMs` when given (429 Retry-After, governor pause). */
export class TransientJobError extends Error {
  readonly transient = true;
  readonly code: string;
  readonly details: unknown;
  readonly retryAfterMs: number | undefined;
  constructor(init: JobErrorInit & { retryAfterMs?: number }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'TransientJobError';
    this.code = init.code;
    this.details = init.details;
    this.retryAfterMs = init.retryAfterMs;
  }
}
