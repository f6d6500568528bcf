/**
 * What went wrong, in one shape for the job (dead letter `code`, `message`, `details`) and for
 * the person who reads `D365_Sync_Error__c` on the record. Classification is by the fields every
 * error module sets (`transient`, `retryAfterMs`), never by guessing from text.
 */
import { D365Error, D365ValidationError } from '../../d365/index.js';
import type { Rejection } from '../../mapping/index.js';
import { SalesforceApiError, SalesforceError } from '../../salesforce/index.js';

/** `D365_Sync_Error__c` is a 32,768-character long text area. */
export const SYNC_ERROR_MAX = 32_768;

export interface SyncFailure {
  transient: boolean;
  retryAfterMs: number | undefined;
  /** Stable code: a mapping rejection code, `D365_VALIDATION`, `SALESFORCE_INVALID_FIELD`, … */
  code: string;
  /** One line for logs and the dead-letter list. */
  message: string;
  /** What the Salesforce user reads on the record (F&O's Infolog lines, joined). */
  recordText: string;
  details: Record<string, unknown>;
}

/** A mapping rejection carried as an error (the mapper returns it; the flow throws it). */
export class MappingRejectedError extends Error {
  readonly transient: boolean;
  readonly code: string;
  constructor(readonly rejection: Rejection) {
    super(rejection.reason);
    this.name = 'MappingRejectedError';
    this.transient = rejection.transient;
    this.code = rejection.code;
  }
}

/** A permanent problem the flow found itself (parent customer missing in F&O, no mapping file…). */
export class SyncProblem extends Error {
  readonly transient: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    opts: { transient?: boolean; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'SyncProblem';
    this.transient = opts.transient ?? false;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

export function truncateSyncError(text: string): string {
  if (text.length <= SYNC_ERROR_MAX) return text;
  const marker = '\n… (truncated; the full text is in the proxy dead letter)';
  return text.slice(0, SYNC_ERROR_MAX - marker.length) + marker;
}

export function describeFailure(err: unknown, context: Record<string, unknown>): SyncFailure {
  if (err instanceof MappingRejectedError) {
    const r = err.rejection;
    return {
      transient: r.transient,
      retryAfterMs: undefined, // the queue's backoff: the parent is usually synced within seconds
      code: r.code,
      message: r.reason,
      recordText: `${r.code}: ${r.reason}`,
      details: { ...context, ...(r.field ? { field: r.field } : {}) },
    };
  }
  if (err instanceof D365ValidationError) {
    const infolog = err.infolog.filter((l) => l.trim() !== '');
    const said = err.d365Message ?? err.message;
    const lines = infolog.length ? infolog : [said];
    return {
      transient: false,
      retryAfterMs: undefined,
      code: err.code,
      message: `${err.message}${infolog.length ? ` — ${infolog.join(' | ')}` : ''}`,
      recordText: `F&O rejected the ${String(context.what ?? 'record')}:\n${lines.join('\n')}`,
      details: {
        ...context,
        d365Message: err.d365Message,
        infolog: err.infolog,
        entity: err.entity,
        key: err.key,
        status: err.status,
        requestId: err.requestId,
      },
    };
  }
  if (err instanceof D365Error) {
    return {
      transient: err.transient,
      retryAfterMs: err.retryAfterMs,
      code: err.code,
      message: err.message,
      recordText: `F&O: ${err.d365Message ?? err.message}`,
      details: {
        ...context,
        d365Message: err.d365Message,
        entity: err.entity,
        key: err.key,
        status: err.status,
        requestId: err.requestId,
      },
    };
  }
  if (err instanceof SalesforceApiError) {
    const code = `SALESFORCE_${err.errorCode}`;
    const all = err.errors.map(
      (e) => `${e.errorCode}: ${e.message}${e.fields.length ? ` (${e.fields.join(', ')})` : ''}`,
    );
    return {
      transient: err.transient,
      retryAfterMs: (err as { retryAfterMs?: number }).retryAfterMs,
      code,
      message: `Salesforce refused the write-back: ${all.join('; ')}`,
      recordText: `Salesforce refused the sync result: ${all.join('; ')}`,
      details: { ...context, errors: err.errors, status: err.status },
    };
  }
  if (err instanceof SalesforceError) {
    return {
      transient: err.transient,
      retryAfterMs: undefined,
      code: 'SALESFORCE_AUTH',
      message: err.message,
      recordText: err.message,
      details: { ...context },
    };
  }
  const e = err as {
    transient?: unknown;
    retryAfterMs?: unknown;
    code?: unknown;
    message?: unknown;
    details?: unknown;
  };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return {
    transient: e?.transient !== false,
    retryAfterMs: typeof e?.retryAfterMs === 'number' ? e.retryAfterMs : undefined,
    code: typeof e?.code === 'string' ? e.code : 'SYNC_FAILED',
    message,
    recordText: message,
    details: {
      ...context,
      ...(e?.details && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : {}),
    },
  };
}
