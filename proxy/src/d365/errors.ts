/**
 * Typed errors of the F&O client. Callers (the job queue, the HTTP layer) decide by two
 * fields only: `transient` (false ⇒ dead-letter at once, retrying cannot help) and
 * `retryAfterMs` (the earliest moment a retry makes sense). Everything else is context for
 * people: request id, method, entity, key, status and F&O's own message.
 */
import { randomUUID } from 'node:crypto';

export interface D365ErrorContext {
  method?: string;
  entity?: string;
  /** The entity key as sent in the URL, e.g. `dataAreaId='usmf',CustomerAccount='US-001'`. */
  key?: string;
  status?: number;
  /** `ms-dyn-aid` / `x-ms-request-id` from the response, else our own `x-ms-client-request-id`. */
  requestId?: string;
  /** F&O's most useful message (`innererror.message`, else `error.message`). */
  d365Message?: string;
  retryAfterMs?: number;
  cause?: unknown;
}

export abstract class D365Error extends Error {
  /** Stable machine-readable code, e.g. `D365_VALIDATION`. */
  abstract readonly code: string;
  abstract readonly transient: boolean;
  readonly method: string | undefined;
  readonly entity: string | undefined;
  readonly key: string | undefined;
  readonly status: number | undefined;
  readonly requestId: string;
  readonly d365Message: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, ctx: D365ErrorContext = {}) {
    super(message, ctx.cause === undefined ? undefined : { cause: ctx.cause });
    this.name = new.target.name;
    this.method = ctx.method;
    this.entity = ctx.entity;
    this.key = ctx.key;
    this.status = ctx.status;
    this.requestId = ctx.requestId ?? randomUUID();
    this.d365Message = ctx.d365Message;
    this.retryAfterMs = ctx.retryAfterMs;
  }

  /** A log-safe summary (no bodies, no headers). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      transient: this.transient,
      status: this.status,
      method: this.method,
      entity: this.entity,
      key: this.key,
      requestId: this.requestId,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

/** 400 (or a failed changeset): F&O refused the data. Fix the data; retrying the same payload fails again. */
export class D365ValidationError extends D365Error {
  readonly code = 'D365_VALIDATION';
  readonly transient = false;
  /** Infolog lines, e.g. `Warning: The value 'Local' in field 'Customer group' is not found …`. */
  readonly infolog: string[];
  /** Index of the changeset in a `$batch` request when the failure came from one. */
  readonly changeset: number | undefined;
  constructor(message: string, ctx: D365ErrorContext & { infolog?: string[]; changeset?: number } = {}) {
    super(message, ctx);
    this.infolog = ctx.infolog ?? [];
    this.changeset = ctx.changeset;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), infolog: this.infolog, changeset: this.changeset };
  }
}

export class D365NotFound extends D365Error {
  readonly code = 'D365_NOT_FOUND';
  readonly transient = false;
}

/** 429 that outlived our patience (deadline or attempts). Retry after `retryAfterMs`. */
export class D365Throttled extends D365Error {
  readonly code = 'D365_THROTTLED';
  readonly transient = true;
}

/**
 * 401/403 after a fresh token, or no token at all. `transient` is false for a refusal by F&O
 * (app not in the "Microsoft Entra ID applications" form, wrong audience: an operator must act)
 * and true when the token endpoint itself was unreachable.
 */
export class D365AuthError extends D365Error {
  readonly code = 'D365_AUTH';
  readonly transient: boolean;
  constructor(message: string, ctx: D365ErrorContext & { transient?: boolean } = {}) {
    super(message, ctx);
    this.transient = ctx.transient ?? false;
  }
}

/** 5xx, timeouts, connection errors after the retry budget was spent (idempotent calls only). */
export class D365Unavailable extends D365Error {
  readonly code = 'D365_UNAVAILABLE';
  readonly transient: boolean;
  constructor(message: string, ctx: D365ErrorContext & { transient?: boolean } = {}) {
    super(message, ctx);
    this.transient = ctx.transient ?? true;
  }
}

/**
 * A write (POST, `$batch`, DMF import) that may or may not have been committed: the request was
 * sent and then the connection broke, timed out or a gateway answered 5xx. It is never repeated
 * blindly; look the record up first (see create-once.ts).
 */
export class D365AmbiguousWriteError extends D365Error {
  readonly code = 'D365_AMBIGUOUS_WRITE';
  readonly transient = true;
}

/** Anything else F&O answered that we do not understand (other 4xx, 501, 505, malformed). */
export class D365ProtocolError extends D365Error {
  readonly code = 'D365_PROTOCOL';
  readonly transient = false;
}

/**
 * A DMF export that ended other than `Succeeded` (or whose package never appeared): its rows are
 * incomplete, so nothing may be concluded from them. F&O's messages are in `errors`.
 */
export class D365ExportFailed extends D365Error {
  readonly code = 'D365_EXPORT_FAILED';
  readonly transient = false;
  constructor(
    message: string,
    readonly errors: readonly string[],
    ctx: D365ErrorContext = {},
  ) {
    super(message, ctx);
  }
}

export function isD365Error(err: unknown): err is D365Error {
  return err instanceof D365Error;
}
