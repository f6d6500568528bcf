/** Turn an F&O answer that is not a success into the typed error the caller should see. */
import {
  D365AmbiguousWriteError,
  D365AuthError,
  D365NotFound,
  D365ProtocolError,
  D365Throttled,
  D365Unavailable,
  D365ValidationError,
  type D365Error,
  type D365ErrorContext,
} from '../errors.js';
import { parseErrorBody } from './error-body.js';

export interface FailureInfo extends D365ErrorContext {
  /** Why the retry policy stopped: see retry-policy.ts. */
  kind: 'throttled' | 'auth' | 'client' | 'exhausted' | 'ambiguous' | 'unexpected' | 'write-rejected';
  body?: unknown;
  errorCode?: string;
  attempts?: number;
  changeset?: number;
}

export function describe(ctx: D365ErrorContext): string {
  const target = ctx.entity ? `${ctx.entity}${ctx.key ? `(${ctx.key})` : ''}` : 'F&O';
  return `${ctx.method ?? 'request'} ${target}`;
}

export function mapFailure(info: FailureInfo): D365Error {
  const parsed = info.body === undefined ? undefined : parseErrorBody(info.body);
  const ctx: D365ErrorContext = { ...info, d365Message: info.d365Message ?? parsed?.message };
  const what = describe(ctx);
  const said = ctx.d365Message ? `: ${ctx.d365Message}` : '';
  switch (info.kind) {
    case 'throttled':
      return new D365Throttled(`${what} was throttled by F&O (429) until the deadline`, ctx);
    case 'auth':
      return new D365AuthError(
        `${what} was refused by F&O (${info.status ?? 401}) with a fresh token — check the app registration in F&O's "Microsoft Entra ID applications" form and D365_URL${said}`,
        { ...ctx, transient: false },
      );
    case 'ambiguous':
      return new D365AmbiguousWriteError(
        `${what} may or may not have been committed (${info.status ?? info.errorCode ?? 'no answer'}); look it up before retrying`,
        { ...ctx, retryAfterMs: ctx.retryAfterMs ?? 1000 },
      );
    case 'exhausted':
      return new D365Unavailable(
        `${what} failed after ${info.attempts ?? '?'} attempts (${info.status ?? info.errorCode ?? 'no answer'})${said}`,
        { ...ctx, transient: true, retryAfterMs: ctx.retryAfterMs ?? 30_000 },
      );
    case 'write-rejected':
    case 'client': {
      const status = info.status ?? 0;
      if (status === 404) return new D365NotFound(`${what} was not found${said}`, ctx);
      if (status === 401 || status === 403) {
        return new D365AuthError(`${what} was refused by F&O (${status})${said}`, {
          ...ctx,
          transient: false,
        });
      }
      if (
        status === 400 ||
        status === 409 ||
        status === 412 ||
        status === 422 ||
        info.kind === 'write-rejected'
      ) {
        return new D365ValidationError(`${what} was rejected by F&O (${status})${said}`, {
          ...ctx,
          infolog: parsed?.infolog ?? [],
          changeset: info.changeset,
        });
      }
      return new D365ProtocolError(`${what} got an unexpected ${status} from F&O${said}`, ctx);
    }
    case 'unexpected':
      return new D365ProtocolError(
        `${what} got an unexpected answer from F&O (${info.status ?? info.errorCode ?? 'none'})${said}`,
        ctx,
      );
  }
}
