/**
 * The Fastify server's options: limits, timeouts, request ids, router strictness and the
 * parser-level error answers. `main.ts` creates the server with them; tests build theirs
 * through `buildApp` (app.ts) with the very same options, so what is tested is what runs.
 *
 * Timeouts (docs/deployment.md, "Timeouts"): an idle keep-alive connection is kept open longer
 * than the load balancer in front keeps it (`KEEP_ALIVE_TIMEOUT_MS`), so the balancer, never
 * the proxy, closes it — otherwise a request the balancer sends on a connection the proxy just
 * closed fails with a 502.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger, FastifyHttpOptions } from 'fastify';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { handleClientError } from './http/client-error.js';
import { notFoundProblem, sendProblem, toProblem } from './http/error-handler.js';
import { loggerOptions } from './logging.js';

export const SERVER_TIMEOUTS = {
  /** Headers must be complete this soon after the connection opens (a slow-headers attack stops here). */
  headersTimeoutMs: 10_000,
  /** The whole request, body included, must arrive within this (then 408 REQUEST_TIMEOUT). */
  requestTimeoutMs: 30_000,
  /**
   * A socket silent this long while a request is handled is closed. Above Salesforce's longest
   * callout timeout (120 s), so the proxy never hangs up on a caller that is still waiting.
   */
  connectionTimeoutMs: 125_000,
} as const;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Chosen on purpose (docs/security.md): one spelling per route — `/V1/…`, `/v1/x/`, `//v1/…`
 * and `/v1/x;a=b` match nothing. Access is checked on the matched route, so these only decide
 * which spellings match at all. (A variable, not a literal: Fastify's typings lack the last key.)
 */
const ROUTER_OPTIONS = {
  caseSensitive: true,
  ignoreTrailingSlash: false,
  ignoreDuplicateSlashes: false,
  useSemicolonDelimiter: false,
};

/** `logger`: a pino logger to use instead of one built from config (tests capture logs this way). */
export function serverOptions(config: Config, logger?: Logger): FastifyHttpOptions<Server> {
  return {
    bodyLimit: config.BODY_LIMIT_BYTES,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    http: { headersTimeout: SERVER_TIMEOUTS.headersTimeoutMs },
    requestTimeout: SERVER_TIMEOUTS.requestTimeoutMs,
    connectionTimeout: SERVER_TIMEOUTS.connectionTimeoutMs,
    // Salesforce and load balancers send a request id; keep it so one id follows a record end to end.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: ROUTER_OPTIONS,
    // Parser-level refusals: logged without the raw bytes, answered with problem+json.
    clientErrorHandler: handleClientError,
    // A path that does not decode (`%c0%af`) names no route: 404 problem+json, not Fastify's plain 400.
    frameworkErrors: (err, request, reply) => {
      if (err.code === 'FST_ERR_BAD_URL') return sendProblem(reply, request, notFoundProblem());
      return sendProblem(reply, request, toProblem(err));
    },
    ...(logger
      ? { loggerInstance: logger as unknown as FastifyBaseLogger }
      : { logger: loggerOptions(config) }),
  };
}
