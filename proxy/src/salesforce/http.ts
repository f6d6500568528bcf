import type { UpstreamMetrics } from '../upstream-metrics.js';
import type { JwtBearerAuth } from './auth.js';
import type { ApiBudget } from './budget.js';
import { SalesforceApiError, type SalesforceErrorDetail } from './errors.js';
import type { LoggerLike, SessionInfo } from './types.js';

export interface SfRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Relative to `/services/data/vXX.X/` (e.g. `sobjects/Account`), or an absolute `/services/...` path. */
  path: string;
  json?: unknown;
  csv?: string;
  headers?: Record<string, string>;
  /** Read the body as text (CSV results) instead of JSON. */
  text?: boolean;
}

export interface SfResponse<T> {
  status: number;
  body: T;
  /** `Sforce-Locator` of a Bulk API 2.0 query's results page (`null` on the last one). */
  locator?: string;
}

/** 401 bodies that a new session does not fix (wrong scopes, non-API session): jsforce skips refresh for these. */
const NOT_EXPIRY = /not valid for use with the REST API|scopes is required/i;

/**
 * One REST call with the house rules: Bearer token from the shared session, one re-login and
 * replay on 401 INVALID_SESSION_ID, `Sforce-Limit-Info` fed to the budget, REQUEST_LIMIT_EXCEEDED
 * turned into a back-off, error arrays turned into typed errors.
 */
export class SalesforceHttp {
  constructor(
    private readonly auth: JwtBearerAuth,
    private readonly budget: ApiBudget,
    private readonly options: {
      apiVersion: string;
      timeoutMs: number;
      logger: LoggerLike;
      metrics?: UpstreamMetrics;
    },
  ) {}

  url(session: SessionInfo, path: string): string {
    if (path.startsWith('/')) return `${session.instanceUrl}${path}`;
    if (path.startsWith('services/')) return `${session.instanceUrl}/${path}`;
    return `${session.instanceUrl}${this.versioned(path)}`;
  }

  /**
   * The typed error for a Salesforce error answer, the call's own or a composite subrequest's:
   * REQUEST_LIMIT_EXCEEDED also stops calls for a while (the budget's back-off).
   */
  errorFor(status: number, errors: SalesforceErrorDetail[]): SalesforceApiError {
    if (status === 403 && errors[0]?.errorCode === 'REQUEST_LIMIT_EXCEEDED')
      return this.budget.limitExceeded(status, errors);
    return new SalesforceApiError({ status, errors });
  }

  /** The absolute path of a versioned resource, as composite subrequests name it. */
  versioned(path: string): string {
    return `/services/data/v${this.options.apiVersion}/${path}`;
  }

  async request<T = unknown>(req: SfRequest): Promise<SfResponse<T>> {
    this.budget.assertNotBlocked();
    let session = await this.auth.session();
    let res = await this.send(session, req);
    if (res.status === 401) {
      const errors = parseErrors(res.status, res.text);
      if (errors[0]?.errorCode === 'INVALID_SESSION_ID' && !NOT_EXPIRY.test(errors[0].message)) {
        this.options.logger.info({ path: req.path }, 'salesforce session expired; logging in again');
        this.auth.invalidate(session.accessToken);
        session = await this.auth.session();
        res = await this.send(session, req);
      }
    }
    if (res.status >= 400 || res.status === 300) {
      const errors =
        res.status === 300
          ? [
              {
                errorCode: 'MULTIPLE_CHOICES',
                message: `Several records match: ${res.text.slice(0, 500)}`,
                fields: [],
              },
            ]
          : parseErrors(res.status, res.text);
      throw this.errorFor(res.status, errors);
    }
    let body: unknown = res.text;
    if (!req.text && res.text) {
      try {
        body = JSON.parse(res.text);
      } catch (cause) {
        // An HTML page here usually means a wrong instance URL or a proxy in the way (jsforce does the same check).
        throw new SalesforceApiError({
          status: res.status,
          errors: [
            {
              errorCode: 'UNEXPECTED_RESPONSE',
              message: `Expected JSON from Salesforce, got: ${res.text.slice(0, 120)}`,
              fields: [],
            },
          ],
          transient: false,
          cause,
        });
      }
    }
    return { status: res.status, body: body as T, ...(res.locator !== null ? { locator: res.locator } : {}) };
  }

  private async send(
    session: SessionInfo,
    req: SfRequest,
  ): Promise<{ status: number; text: string; locator: string | null }> {
    const started = Date.now();
    const headers: Record<string, string> = {
      authorization: `Bearer ${session.accessToken}`,
      accept: req.text ? 'text/csv' : 'application/json',
      ...req.headers,
    };
    let body: string | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.csv !== undefined) {
      headers['content-type'] = 'text/csv';
      body = req.csv;
    }
    let res: Response;
    try {
      res = await fetch(this.url(session, req.path), {
        method: req.method,
        headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (cause) {
      this.options.metrics?.observe({
        method: req.method,
        status: undefined,
        seconds: (Date.now() - started) / 1000,
      });
      const timeout = (cause as Error).name === 'TimeoutError';
      throw new SalesforceApiError({
        status: 0,
        errors: [
          { errorCode: timeout ? 'TIMEOUT' : 'NETWORK_ERROR', message: (cause as Error).message, fields: [] },
        ],
        transient: true,
        cause,
      });
    }
    this.budget.observe(res.headers.get('sforce-limit-info'));
    const text = await res.text();
    this.options.metrics?.observe({
      method: req.method,
      status: res.status,
      seconds: (Date.now() - started) / 1000,
    });
    this.options.logger.debug(
      { method: req.method, path: req.path.split('?')[0], status: res.status, ms: Date.now() - started },
      'salesforce call',
    );
    return { status: res.status, text, locator: res.headers.get('sforce-locator') };
  }
}

/** `[{ message, errorCode, fields }]` (REST) or `{ errorCode|statusCode, … }`; anything else becomes one detail. */
export function parseErrors(status: number, text: string): SalesforceErrorDetail[] {
  try {
    const parsed: unknown = JSON.parse(text);
    const list = Array.isArray(parsed) ? parsed : [parsed];
    const details = list
      .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
      .map((e) => toDetail(e));
    if (details.length) return details;
  } catch {
    // fall through
  }
  return [{ errorCode: `HTTP_${status}`, message: text.slice(0, 300) || `HTTP ${status}`, fields: [] }];
}

export function toDetail(e: Record<string, unknown>): SalesforceErrorDetail {
  return {
    errorCode: String(e.errorCode ?? e.statusCode ?? 'UNKNOWN'),
    message: String(e.message ?? ''),
    fields: Array.isArray(e.fields) ? e.fields.map(String) : [],
  };
}
