/**
 * Errors of the jobs module. Each has a stable `code` and the HTTP status the API layer maps it
 * to (`httpStatus`), so routes and flows can turn them into problem+json without a lookup table.
 *
 * Handler-side classification (what a flow throws from a job handler) is by shape, not class:
 * any error with `transient === false` is permanent (dead letter now), `retryAfterMs` sets the
 * earliest retry; `PermanentJobError` / `TransientJobError` are conveniences that set those fields.
 */

export abstract class JobsError extends Error {
  abstract readonly code: string;
  abstract readonly httpStatus: number;
}

/** The store cannot be written or read (read-only file, disk full, database down). HTTP 503. */
export class StoreUnavailableError extends JobsError {
  readonly code = 'STORE_UNAVAILABLE';
  readonly httpStatus = 503;
  constructor(detail: string, cause?: unknown) {
    super(`Job store unavailable: ${detail}`, cause === undefined ? undefined : { cause });
    this.name = 'StoreUnavailableError';
  }
}

/** Enqueue input failed validation; nothing was enqueued. HTTP 400. */
export class JobValidationError extends JobsError {
  readonly code = 'JOB_VALIDATION';
  readonly httpStatus = 400;
  constructor(
    message: string,
    readonly issues: Array<{ path: string; message: string }>,
  ) {
    super(message);
    this.name = 'JobValidationError';
  }
}

/** Serialized payload is larger than JOB_MAX_PAYLOAD_BYTES; nothing was enqueued. HTTP 413. */
export class PayloadTooLargeError extends JobsError {
  readonly code = 'JOB_PAYLOAD_TOO_LARGE';
  readonly httpStatus = 413;
  constructor(
    readonly bytes: number,
    readonly limit: number,
    where: string,
  ) {
    super(`Job payload of ${where} is ${bytes} bytes; the limit is ${limit} bytes (JOB_MAX_PAYLOAD_BYTES)`);
    this.name = 'PayloadTooLargeError';
  }
}

export class JobNotFoundError extends JobsError {
  readonly code = 'JOB_NOT_FOUND';
  readonly httpStatus = 404;
  constructor(readonly id: string) {
    super(`No job with id ${id}`);
    this.name = 'JobNotFoundError';
  }
}

/** The job exists but is not in a state that allows the operation (e.g. replay of a done job). HTTP 409. */
export class JobStateConflictError extends JobsError {
  readonly code = 'JOB_NOT_DEAD';
  readonly httpStatus = 409;
  constructor(
    readonly id: string,
    readonly state: string,
    operation: string,
  ) {
    super(`Job ${id} is ${state}; only dead letters can be ${operation}`);
    this.name = 'JobStateConflictError';
  }
}

export class NumberRangeExhaustedError extends JobsError {
  readonly code = 'NUMBER_RANGE_EXHAUSTED';
  readonly httpStatus = 503;
  constructor(
    readonly sequence: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(
      `Number range of sequence "${sequence}" (${start}..${end}) is exhausted: configure a new range before more records can be created`,
    );
    this.name = 'NumberRangeExhaustedError';
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
