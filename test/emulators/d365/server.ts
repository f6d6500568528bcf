/**
 * Builds and starts the emulator: one shared state, an http listener and (by default) an https one
 * with the dev certificate, both serving the same routes.
 */
import type { Server } from 'node:net';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import pino from 'pino';
import { ensureDevCertificate } from '../../support/tls.js';
import authRoutes from './auth/routes.js';
import { TokenService } from './auth/tokens.js';
import { BusinessEvents } from './business-events.js';
import { createControl, type D365Control } from './control.js';
import controlRoutes from './control-routes.js';
import { bump, emptyCounters } from './counters.js';
import { Dmf } from './dmf.js';
import { ENTITY_DEFS, entityBySet } from './entities/index.js';
import { extendSchema } from './entities/schema.js';
import { executeBatch, parseBatch } from './odata/batch.js';
import { errorResponse, handleOData, type ODataEnv, type ODataResponse } from './odata/handler.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  DEFAULT_COMPANY,
  DEFAULT_LATENCY,
  DEFAULT_THROTTLING,
  TENANT_ID,
  type D365EmulatorOptions,
  type Logger,
} from './options.js';
import { mulberry32, seedStore, type SeedSummary } from './seed.js';
import { emptyFaults, type EmulatorState } from './state.js';
import { Store } from './store.js';
import { latencyMs, Throttler, type RequestClass } from './throttling.js';

export interface D365Emulator {
  /** http base URL, e.g. http://127.0.0.1:4010 — also the environment URL (token audience). */
  url: string;
  /** https base URL (dev certificate), or undefined when disabled. */
  httpsUrl: string | undefined;
  /** The dev certificate to trust for httpsUrl. */
  caCertPath: string | undefined;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  defaultCompany: string;
  control: D365Control;
  seedSummary: SeedSummary;
  /** The node servers behind `url` and `httpsUrl` (the fault matrix gates and logs them). */
  servers: Server[];
  close(): Promise<void>;
}

const BODY_LIMIT = 200 * 1024 * 1024;

/** F&O's 401 as reported through a Logic App wrapper (reference §5); exact bare body NOT CONFIRMED. */
const UNAUTHORIZED_BODY = JSON.stringify({
  Message: 'Authentication failed.',
  StackTrace: null,
  ExceptionType: 'System.InvalidOperationException',
});
const P3P =
  'CP="No P3P policy defined.  Read the Microsoft privacy statement at https://go.microsoft.com/fwlink/?LinkId=271135"';

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

function resolveLogger(option: D365EmulatorOptions['logger']): Logger | false {
  if (!option) return false;
  if (option === true) return pino({ name: 'd365-emulator' });
  return option;
}

export async function startD365Emulator(options: D365EmulatorOptions = {}): Promise<D365Emulator> {
  const host = options.host ?? '127.0.0.1';
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error('timeScale must be > 0');
  const logger = resolveLogger(options.logger);
  const counters = emptyCounters();
  for (const [set, names] of Object.entries(options.extensionFields ?? {})) {
    const def = entityBySet(set);
    if (!def) throw new Error(`extensionFields: no emulated entity set ${set}`);
    extendSchema(def.schema, names);
  }
  const store = new Store(ENTITY_DEFS);
  const urls: EmulatorState['urls'] = { http: '', https: undefined };
  const tokens = new TokenService(
    TENANT_ID,
    () => [urls.http, ...(urls.https ? [urls.https] : [])],
    options.tokenLifetimeS ?? 3599,
  );
  tokens.registerClient(CLIENT_ID, CLIENT_SECRET);
  const random = mulberry32(7);
  const state: EmulatorState = {
    store,
    tokens,
    throttler: new Throttler({ ...DEFAULT_THROTTLING, ...options.throttling }, timeScale, counters),
    latency: { ...DEFAULT_LATENCY, ...options.latency },
    counters,
    faults: emptyFaults(),
    events: new BusinessEvents(timeScale, counters, random),
    dmf: new Dmf(store, timeScale, counters, () => new Date()),
    timeScale,
    pageSize: options.pageSize ?? 10_000,
    company: DEFAULT_COMPANY,
    urls,
    random,
  };
  const seedSummary = seedStore(store, options.seed ?? 'demo');
  const control = createControl(state, () => undefined);

  const apps: FastifyInstance[] = [];
  const build = async (https?: { key: string; cert: string }): Promise<FastifyInstance> => {
    const app = Fastify({
      ...(https ? { https } : {}),
      logger: false,
      bodyLimit: BODY_LIMIT,
      forceCloseConnections: true,
      ...(logger ? { loggerInstance: logger as never } : {}),
    });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_req, body, done) =>
      done(null, body),
    );
    await app.register(authRoutes, {
      tokens,
      metadataBase: () => urls.https ?? urls.http,
      onTokenIssued: () => counters.tokensIssued++,
    });
    await app.register(controlRoutes, { control });
    state.dmf.registerBlobRoutes(app);
    const dataHandler = (request: FastifyRequest, reply: FastifyReply) =>
      handleData(state, request, reply, logger);
    app.all('/data', dataHandler);
    app.all('/data/*', dataHandler);
    apps.push(app);
    return app;
  };

  const httpApp = await build();
  await httpApp.listen({ port: options.port ?? 0, host });
  urls.http = `http://${host}:${(httpApp.server.address() as { port: number }).port}`;
  let caCertPath: string | undefined;
  if (options.httpsPort !== false) {
    const cert = ensureDevCertificate();
    caCertPath = cert.certPath;
    const httpsApp = await build({ key: cert.key, cert: cert.cert });
    await httpsApp.listen({ port: options.httpsPort ?? 0, host });
    urls.https = `https://${host}:${(httpsApp.server.address() as { port: number }).port}`;
  }

  return {
    url: urls.http,
    httpsUrl: urls.https,
    caCertPath,
    tenantId: TENANT_ID,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    defaultCompany: DEFAULT_COMPANY,
    control,
    seedSummary,
    servers: apps.map((a) => a.server),
    async close() {
      state.dmf.close();
      await Promise.all(apps.map((a) => a.close()));
    },
  };
}

/** Writes the response raw: Fastify would rewrite `odata.metadata=minimal` into a quoted parameter plus charset. */
function send(reply: FastifyReply, res: ODataResponse): FastifyReply {
  reply.hijack();
  const body = res.body === '' ? undefined : Buffer.from(res.body, 'utf8');
  reply.raw.writeHead(res.status, {
    ...res.headers,
    'ms-dyn-aid': randomUUID(),
    ...(body ? { 'content-length': String(body.length) } : {}),
  });
  reply.raw.end(body);
  return reply;
}

async function handleData(
  state: EmulatorState,
  request: FastifyRequest,
  reply: FastifyReply,
  logger: Logger | false,
): Promise<FastifyReply | void> {
  const { counters } = state;
  counters.requests.total++;
  bump(counters.requests.byMethod, request.method);
  const finish = (res: ODataResponse): FastifyReply => {
    bump(counters.requests.byStatus, String(res.status));
    return send(reply, res);
  };
  const destroy = () => {
    counters.faultsInjected++;
    reply.hijack();
    request.raw.socket.destroy();
  };

  if (state.faults.dropConnection.count > 0) {
    state.faults.dropConnection.count--;
    return destroy();
  }
  const caller = await state.tokens.verify(request.headers.authorization);
  if (!caller) {
    counters.unauthorized401++;
    return finish({
      status: 401,
      headers: { 'content-type': 'application/json; charset=utf-8', p3p: P3P },
      body: UNAUTHORIZED_BODY,
    });
  }
  if (state.faults.fail5xx.count > 0) {
    state.faults.fail5xx.count--;
    counters.faultsInjected++;
    const { status, retryAfterS } = state.faults.fail5xx;
    if (status === 429) counters.throttled429++;
    const message =
      status === 503
        ? 'Service Unavailable'
        : status === 429
          ? 'This request could not be processed at this time due to system experiencing high resource utilization.'
          : 'An error has occurred.';
    return finish({
      status,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        // A forced throttle says when to come back, as a real 429 does.
        ...(retryAfterS !== undefined ? { 'retry-after': String(retryAfterS) } : {}),
      },
      body: JSON.stringify({ error: { code: '', message } }),
    });
  }

  const url = new URL(request.url, `${request.protocol}://${request.host}`);
  const body = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : undefined;
  const method = request.method.toUpperCase();
  const isBatch = url.pathname === '/data/$batch';
  const isDmf = url.pathname.startsWith('/data/DataManagementDefinitionGroups/');
  const cls: RequestClass = isBatch ? 'batch' : method === 'GET' ? 'read' : 'write';
  const env: ODataEnv = {
    store: state.store,
    company: state.company,
    pageSize: state.pageSize,
    now: () => new Date(),
    action: (set, action, args, req) => state.dmf.action(set, action, args, req),
  };

  let batch: ReturnType<typeof parseBatch> | undefined;
  if (isBatch) {
    if (method !== 'POST') return finish(errorResponse(new Error('$batch requires POST')));
    try {
      batch = parseBatch(body ?? '', request.headers['content-type']);
    } catch (err) {
      return finish(errorResponse(err));
    }
    counters.batchRequests++;
    counters.batchOperations += batch.operationCount;
  }

  // DIXF (the package API) is exempt from service protection (reference §4).
  const admission = isDmf
    ? { ok: true as const, release: () => undefined }
    : await state.throttler.admit(caller.clientId);
  if (!admission.ok) {
    counters.throttled429++;
    const seconds = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
    return finish({
      status: 429,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'retry-after': String(seconds),
        // Non-standard: the exact scaled wait (Retry-After is whole seconds, at least 1).
        'x-emulator-retry-after-ms': String(Math.round(admission.retryAfterMs)),
      },
      body: JSON.stringify({ error: { code: '', message: admission.message } }),
    });
  }
  const started = Date.now();
  let res: ODataResponse;
  let entitySets: string[];
  let committed: boolean;
  try {
    await sleep(latencyMs(state.latency, state.timeScale, cls, batch?.operationCount ?? 1));
    if (batch) {
      const result = executeBatch(env, state.store, batch, url.origin, (part) => {
        if (part.entitySet) bump(counters.requests.byEntity, part.entitySet);
      });
      res = result.response;
      entitySets = result.entitySets;
      committed = result.committed;
      bump(counters.requests.byEntity, '$batch');
    } else {
      res = handleOData(env, {
        method,
        url,
        headers: request.headers as Record<string, string | undefined>,
        body,
      });
      entitySets = res.entitySet ? [res.entitySet] : [];
      committed = method === 'POST' && res.status < 300;
      if (res.entitySet) bump(counters.requests.byEntity, res.entitySet);
    }
  } finally {
    admission.release();
    counters.executionMs += Date.now() - started;
  }

  const fault = state.faults.commitNoAnswer;
  if (fault.count > 0 && committed && (!fault.entity || entitySets.includes(fault.entity))) {
    fault.count--;
    if (logger) logger.debug({ entitySets }, 'commitNoAnswer fault: dropping the answer');
    return destroy();
  }
  return finish(res);
}
