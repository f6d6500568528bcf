import Fastify, { type FastifyInstance } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import bulkRoutes from './api/bulk.js';
import bulkQueryRoutes from './api/bulk-query.js';
import collectionRoutes from './api/collections.js';
import compositeRoutes from './api/composite.js';
import controlRoutes from './api/control.js';
import identityRoutes from './api/identity.js';
import limitRoutes from './api/limits.js';
import queryRoutes from './api/query.js';
import { kindOf } from './api/route-config.js';
import sobjectRoutes from './api/sobjects.js';
import tokenRoutes from './api/token.js';
import type { SalesforceEmulatorControl } from './control.js';
import { notFound, SfError, sessionInvalid } from './errors.js';
import type { EmulatorState } from './state.js';

const BODY_LIMIT = 150 * 1024 * 1024; // Bulk API 2.0: 150 MB per upload

/**
 * The emulator's HTTP server. Every REST call passes, in order: injected faults → session
 * check → daily API limit → concurrent long-running cap → counting → latency. Every REST
 * response carries `Sforce-Limit-Info`.
 */
export function buildServer(state: EmulatorState, control: SalesforceEmulatorControl): FastifyInstance {
  const app = Fastify({
    logger: state.options.logger,
    bodyLimit: BODY_LIMIT,
    // `sf` joins an instance URL ending in `/` with `/services/…`; the org answers `//services/…`.
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
  });
  const inflight = new Map<string, number>();
  const apiVersion = Number(state.options.apiVersion);

  app.addContentTypeParser(
    ['text/csv', 'application/x-www-form-urlencoded'],
    { parseAs: 'string' },
    (_req, body, done) => done(null, body),
  );

  app.addHook('onRequest', async (req) => {
    const kind = kindOf(req);
    if (!kind || kind === 'token') return;
    const version = (req.params as { version?: string }).version ?? '';
    const v = /^v(\d+\.\d)$/.exec(version);
    if (!v || Number(v[1]) > apiVersion || Number(v[1]) < 20) throw notFound();

    // A composite call's subrequest: the composite call was counted and delayed once. Faults
    // still apply to it (a path that names the subrequest's resource fails that subrequest alone).
    const subrequest = req.headers[state.subrequestHeader] === state.subrequestSecret;
    let extraLatency = 0;
    for (const fault of state.faults.take(req.url)) {
      if (fault.type === 'latency') extraLatency += fault.ms;
      else if (fault.type === 'requestLimit')
        throw new SfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
      else {
        const status = fault.status ?? 503;
        const code = fault.errorCode ?? (status === 503 ? 'SERVER_UNAVAILABLE' : 'UNKNOWN_EXCEPTION');
        throw new SfError(
          status,
          code,
          fault.message ??
            (status === 503 ? 'Server temporarily unavailable' : 'An unexpected error occurred.'),
        );
      }
    }

    const auth = req.headers.authorization ?? '';
    const token = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(auth)?.[1];
    if (!token || !state.sessions.get(token)) throw sessionInvalid();
    if (subrequest) {
      if (extraLatency > 0) await sleep(extraLatency);
      return;
    }

    if (state.usage.apiUsed >= state.usage.dailyApiLimit) {
      throw new SfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    }
    const now = Date.now();
    let longRunning = 0;
    for (const started of inflight.values()) if (now - started >= state.usage.longRunningMs) longRunning++;
    if (longRunning >= state.usage.maxConcurrentLongRunning) {
      throw new SfError(403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.');
    }
    state.usage.apiUsed++;
    state.count(kind);
    inflight.set(req.id, now);
    const delay = state.usage.latencyMs + extraLatency;
    if (delay > 0) await sleep(delay);
  });

  const done = async (req: { id: string }) => {
    inflight.delete(req.id);
  };
  app.addHook('onResponse', done);
  app.addHook('onRequestAbort', done);

  app.addHook('onSend', async (req, reply, payload) => {
    const kind = kindOf(req);
    if (kind && kind !== 'token') reply.header('Sforce-Limit-Info', state.limitInfo());
    return payload;
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof SfError) return reply.code(err.status).send(err.toBody());
    const e = err as { statusCode?: number; message: string };
    if (e.statusCode === 415) {
      return reply.code(415).send([{ message: e.message, errorCode: 'UNSUPPORTED_MEDIA_TYPE' }]);
    }
    if (e.statusCode && e.statusCode < 500) {
      return reply.code(400).send([{ message: e.message, errorCode: 'JSON_PARSER_ERROR' }]);
    }
    req.log.error(err);
    return reply.code(500).send([
      {
        message: `An unexpected error occurred. Please include this ErrorId if you contact support: ${req.id}`,
        errorCode: 'UNKNOWN_EXCEPTION',
      },
    ]);
  });
  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).send([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]),
  );

  const opts = { state };
  void app.register(tokenRoutes, opts);
  void app.register(identityRoutes, opts);
  void app.register(limitRoutes, opts);
  void app.register(sobjectRoutes, opts);
  void app.register(collectionRoutes, opts);
  void app.register(compositeRoutes, opts);
  void app.register(queryRoutes, opts);
  void app.register(bulkRoutes, opts);
  void app.register(bulkQueryRoutes, opts);
  void app.register(controlRoutes, { control });
  return app;
}
