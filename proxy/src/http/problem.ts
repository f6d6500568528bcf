/**
 * RFC 9457 problem details. Every error reply of the proxy is one of these, with a stable
 * machine-readable `code` (callers switch on it) and a human `detail` (people read it).
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  /** Field-level problems of a validation error: `path` is dotted, e.g. `records.3.Name`. */
  errors?: Array<{ path: string; message: string }>;
  [extension: string]: unknown;
}

export interface ProblemInit {
  status: number;
  code: string;
  title: string;
  detail: string;
  /** Seconds; sent as the `Retry-After` header (429 / 503). */
  retryAfterS?: number;
  errors?: ProblemBody['errors'];
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

/** Throw this anywhere below the HTTP layer; the error handler turns it into problem+json. */
export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly retryAfterS: number | undefined;
  readonly errors: ProblemBody['errors'];
  readonly extensions: Record<string, unknown>;

  constructor(init: ProblemInit) {
    super(init.detail, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ProblemError';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.retryAfterS = init.retryAfterS;
    this.errors = init.errors;
    this.extensions = init.extensions ?? {};
  }

  toBody(instance?: string, requestId?: string): ProblemBody {
    return {
      type: problemType(this.code),
      title: this.title,
      status: this.status,
      detail: this.detail,
      code: this.code,
      ...(instance === undefined ? {} : { instance }),
      ...(requestId === undefined ? {} : { requestId }),
      ...(this.errors === undefined ? {} : { errors: this.errors }),
      ...this.extensions,
    };
  }
}

/** A dereferenceable-looking but stable type URI per code; documented in docs/errors.md. */
export function problemType(code: string): string {
  return `https://fo-bridge.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}
