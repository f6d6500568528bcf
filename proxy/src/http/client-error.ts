/**
 * Requests Node's HTTP parser refuses before Fastify sees them (bad header token, bad method,
 * oversized headers, broken chunked encoding, bad Content-Length, timeouts). Fastify's default
 * handler logs the whole error at trace level — including `rawPacket`, the request bytes with
 * the `Authorization` header in clear — and answers plain JSON. This one logs only the parser's
 * code and message and answers problem+json when the socket can still take it.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { PROBLEM_CONTENT_TYPE, ProblemError, type ProblemInit } from './problem.js';

interface ParserError extends Error {
  code?: string;
}

/** The parser's refusals that are not plain malformed HTTP: their own status and words. */
const REFUSALS: Record<string, ProblemInit> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'REQUEST_TIMEOUT',
    title: 'Request timeout',
    detail: 'The request did not arrive in time.',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'HEADERS_TOO_LARGE',
    title: 'Request header fields too large',
    detail: 'The request headers are larger than the proxy accepts.',
  },
};

function problemFor(err: ParserError): ProblemError {
  return new ProblemError(
    REFUSALS[err.code ?? ''] ?? {
      status: 400,
      code: 'MALFORMED_REQUEST',
      title: 'Malformed request',
      detail: 'The request is not valid HTTP/1.1.',
    },
  );
}

/** Fastify's `clientErrorHandler` option; called with the Fastify instance as `this`. */
export function handleClientError(this: { log: FastifyBaseLogger }, err: ParserError, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const problem = problemFor(err);
  const requestId = randomUUID();
  // Never `{ err }`: the error object carries the raw request bytes.
  this.log.debug(
    { code: err.code, reason: err.message, status: problem.status, requestId },
    'malformed request refused',
  );
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(problem.toBody(undefined, requestId));
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\nx-request-id: ${requestId}\r\n\r\n${body}`,
  );
}
