/**
 * Turns every error — ours, Fastify's, a validator's, a bug's — into RFC 9457 problem+json
 * with a stable `code` and the request id. 5xx details stay in the log; no stack trace ever
 * leaves the process.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, ProblemError } from './problem.js';

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
    .send(problem.toBody(request.url.split('?')[0], String(request.id)));
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
      notFoundProblem(`No route for ${request.method} ${request.url.split('?')[0]}.`),
    ),
  );
}

export function notFoundProblem(detail = 'No route for this path.'): ProblemError {
  return new ProblemError({ status: 404, code: 'NOT_FOUND', title: 'Not found', detail });
}
