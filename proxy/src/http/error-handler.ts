/**
 * Turns every error — a domain error of jobs or a flow, Fastify's, a validator's, a bug's —
 * into RFC 9457 problem+json with a stable `code` and the request id. This is the only place
 * that knows which status a code answers with: modules below `http/` throw errors with a
 * `code` and nothing about HTTP, and routes let them propagate. 5xx details stay in the log;
 * no stack trace ever leaves the process.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain-error.js';
import { EnvelopeError } from '../flows/invoices/envelope.js';
import { redactSecretPath } from '../logging.js';
import {
  JobStateConflictError,
  JobValidationError,
  NumberRangeExhaustedError,
  PayloadTooLargeError,
  StoreUnavailableError,
  JobNotFoundError,
} from '../jobs/errors.js';
import {
  D365NotConfiguredError,
  InventoryUnavailableError,
  UnknownCompanyError,
} from '../flows/inventory/errors.js';
import { ReportNotFoundError, UnknownReconcileFlowError } from '../flows/reconcile/errors.js';
import { FlowNotConfiguredError, UnmappedCompanyError } from '../flows/sync/fno-errors.js';
import { PROBLEM_CONTENT_TYPE, ProblemError, type ProblemInit } from './problem.js';

/** What a domain error answers besides its `code` (the message is the detail unless given). */
type Answer = Pick<ProblemInit, 'status' | 'title' | 'retryAfterS' | 'errors' | 'extensions'> & {
  detail?: string;
};

const NO_FO =
  'The proxy has no F&O connection: set D365_URL, D365_TENANT_ID, D365_CLIENT_ID and D365_CLIENT_SECRET.';
const NO_STORE = 'The durable job store cannot accept writes right now; nothing was accepted. Retry later.';
const NOT_CACHED = 'and no recent inventory is cached. Try again shortly.';

/** Each domain error's answer; one not listed here is a bug (500 INTERNAL_ERROR). */
function domainAnswer(err: DomainError): Answer | undefined {
  if (err instanceof StoreUnavailableError)
    return { status: 503, title: 'Job store unavailable', detail: NO_STORE, retryAfterS: 30 };
  if (err instanceof JobValidationError) return { status: 400, title: 'Invalid job', errors: err.issues };
  if (err instanceof PayloadTooLargeError) return { status: 413, title: 'Job payload too large' };
  if (err instanceof JobNotFoundError) return { status: 404, title: 'Job not found' };
  if (err instanceof JobStateConflictError)
    return { status: 409, title: 'Not a dead letter', extensions: { state: err.state } };
  if (err instanceof NumberRangeExhaustedError) return { status: 503, title: 'Number range exhausted' };
  if (err instanceof UnknownCompanyError) {
    const detail = `Company "${err.company}" ${err.why}. Set the Account's D365 legal entity to a mapped F&O company.`;
    return {
      status: 400,
      title: 'Unknown company',
      detail,
      errors: [{ path: 'querystring.company', message: err.why }],
    };
  }
  if (err instanceof InventoryUnavailableError) {
    const throttled = err.code === 'D365_THROTTLED';
    return {
      status: 503,
      title: throttled ? 'F&O is busy' : 'F&O is unavailable',
      detail: throttled ? `F&O is throttling requests ${NOT_CACHED}` : `F&O did not answer ${NOT_CACHED}`,
      retryAfterS: err.retryAfterS,
      extensions: { retryAfterS: err.retryAfterS },
    };
  }
  if (err instanceof D365NotConfiguredError)
    return { status: 503, title: 'F&O is not configured', detail: NO_FO };
  if (err instanceof FlowNotConfiguredError)
    return { status: 503, title: 'Flow not configured', extensions: { missing: err.missing } };
  if (err instanceof UnmappedCompanyError)
    return {
      status: 400,
      title: 'Unknown company',
      errors: [{ path: 'body.company', message: 'is not mapped' }],
    };
  if (err instanceof EnvelopeError) return { status: 400, title: 'Invalid business event' };
  if (err instanceof UnknownReconcileFlowError)
    return {
      status: 400,
      title: 'Unknown flow',
      errors: [{ path: 'body.flow', message: `is not one of ${err.known.join(', ')}` }],
    };
  if (err instanceof ReportNotFoundError) return { status: 404, title: 'Report not found' };
  return undefined;
}

function domainProblem(err: DomainError): ProblemError | undefined {
  const answer = domainAnswer(err);
  return answer && new ProblemError({ code: err.code, detail: err.message, cause: err, ...answer });
}

/** Fastify's own error codes that carry a client mistake, mapped to our stable codes. */
const FASTIFY_CODES: Record<string, { code: string; title: string; detail?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', title: 'Payload too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', title: 'Unsupported media type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'INVALID_CONTENT_LENGTH', title: 'Invalid content length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'MALFORMED_JSON',
    title: 'Malformed JSON',
    detail: 'The body is empty but Content-Type is application/json.',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_JSON', title: 'Malformed JSON' },
  FST_ERR_NOT_FOUND: { code: 'NOT_FOUND', title: 'Not found' },
};

export function toProblem(err: unknown): ProblemError {
  if (err instanceof ProblemError) return err;
  const domain = err instanceof DomainError ? domainProblem(err) : undefined;
  if (domain) return domain;
  const e = err as Partial<FastifyError> & {
    validation?: Array<{ instancePath?: string; message?: string }>;
  };

  if (Array.isArray(e.validation)) {
    const where = e.validationContext ?? 'request';
    const errors = e.validation.map((v) => ({
      path: `${where}${(v.instancePath ?? '').replace(/\//g, '.')}`.replace(/\.$/, ''),
      message: v.message ?? 'is invalid',
    }));
    return new ProblemError({
      status: 400,
      code: 'VALIDATION_FAILED',
      title: 'Validation failed',
      detail: errors.map((x) => `${x.path}: ${x.message}`).join('; '),
      errors,
    });
  }

  if (e.code === 'FST_UNDER_PRESSURE' || (e.statusCode === 503 && e.name === 'UnderPressureError')) {
    return new ProblemError({
      status: 503,
      code: 'OVERLOADED',
      title: 'Service overloaded',
      detail: 'The proxy is shedding load; retry shortly.',
      retryAfterS: 10,
    });
  }

  const known = e.code ? FASTIFY_CODES[e.code] : undefined;
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (known) {
    return new ProblemError({
      status,
      code: known.code,
      title: known.title,
      detail: known.detail ?? e.message ?? known.title,
    });
  }
  if (status >= 400 && status < 500) {
    return new ProblemError({
      status,
      code: e.code ? e.code.replace(/^FST_ERR_/, '') : 'BAD_REQUEST',
      title: 'Bad request',
      detail: e.message ?? 'The request is not valid.',
    });
  }
  return new ProblemError({
    status: status >= 500 && status < 600 ? status : 500,
    code: 'INTERNAL_ERROR',
    title: 'Internal error',
    detail: 'The proxy failed to handle this request; the request id identifies it in the logs.',
    cause: err,
  });
}

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  problem: ProblemError,
): FastifyReply {
  if (problem.retryAfterS !== undefined)
    reply.header('retry-after', String(Math.max(0, Math.ceil(problem.retryAfterS))));
  if (problem.status === 401) reply.header('www-authenticate', 'Bearer');
  return reply
    .code(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(problem.toBody(redactSecretPath(request.url.split('?')[0] ?? ''), String(request.id)));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const problem = toProblem(err);
    if (problem.status >= 500) {
      request.log.error({ err, code: problem.code }, 'request failed');
    } else if (problem.status === 401) {
      const reason = problem.cause instanceof Error ? problem.cause.message : undefined;
      request.log.warn({ code: problem.code, reason }, 'authentication refused');
    } else {
      request.log.info(
        { code: problem.code, status: problem.status, detail: problem.detail },
        'request refused',
      );
    }
    return sendProblem(reply, request, problem);
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      request,
      notFoundProblem(`No route for ${request.method} ${redactSecretPath(request.url.split('?')[0] ?? '')}.`),
    ),
  );
}

export function notFoundProblem(detail = 'No route for this path.'): ProblemError {
  return new ProblemError({ status: 404, code: 'NOT_FOUND', title: 'Not found', detail });
}
