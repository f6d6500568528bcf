/**
 * Composes the proxy into a Fastify instance without listening: tests build it and call
 * `inject` or `listen(0)`; `main.ts` listens. Order matters and lives only here:
 * external plugins (swagger, under-pressure) → spine (errors, request ids, auth) → parts'
 * routes. Every resource a part opens is closed in `onClose`.
 */
import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
  type RouteOptions,
} from 'fastify';
import type { Logger } from 'pino';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import underPressure from '@fastify/under-pressure';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import { loggerOptions } from './logging.js';
import { createMetrics, type Registry } from './metrics.js';
import { notFoundProblem, registerErrorHandling, sendProblem, toProblem } from './http/error-handler.js';
import { createInboundAuthenticator, type Access, type Principal, type RouteAccess } from './http/auth.js';
import { operationalAccess, registerAccessControl } from './http/access.js';
import { handleClientError } from './http/client-error.js';
import type { TokenIdLedger } from './jobs/token-ids.js';
import requestMetrics from './http/request-metrics.js';
import type { ReadinessCheck } from './http/readiness.js';
import healthRoutes from './http/routes/health.js';
import pingRoutes from './http/routes/ping.js';
import { VERSION } from './version.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (http/auth.ts). Every route declares it; none declared = nobody. */
    auth?: RouteAccess;
    /** On a public route: recognise callers with these credentials (never refuses anyone). */
    identify?: readonly Access[];
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** A part of the proxy (jobs, a flow, …) contributing routes, readiness checks and cleanup. */
export interface AppPart {
  name: string;
  routes?: (app: FastifyInstance) => Promise<void>;
  readiness?: Record<string, ReadinessCheck>;
  /** Where seen callout-token ids are kept (the store's part offers it, so replicas agree). */
  tokenIds?: TokenIdLedger;
  /** Told about each caller a route admitted by credential (doctor records the last callout). */
  onAuthenticated?: (principal: Principal) => void;
  close?: () => Promise<void>;
}

export interface BuildAppOptions {
  config: Config;
  /** A pino logger to use instead of one built from config (tests capture logs this way). */
  logger?: Logger;
  registry?: Registry;
  parts?: AppPart[];
  /** Called for every route as it is registered (the route-walk test checks each declares access). */
  onRoute?: (route: RouteOptions) => void;
}

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

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const registry = opts.registry ?? createMetrics({ defaultMetrics: false });
  const parts = opts.parts ?? [];

  const serverOptions: FastifyServerOptions = {
    bodyLimit: config.BODY_LIMIT_BYTES,
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
  };
  const logging = opts.logger
    ? { loggerInstance: opts.logger as unknown as FastifyBaseLogger }
    : { logger: loggerOptions(config) };
  const app = Fastify({ ...serverOptions, ...logging }).withTypeProvider<ZodTypeProvider>();

  if (opts.onRoute) app.addHook('onRoute', opts.onRoute);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  await app.register(requestMetrics, { registry });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', String(request.id));
  });

  if (config.MAX_EVENT_LOOP_DELAY_MS > 0) {
    await app.register(underPressure, {
      maxEventLoopDelay: config.MAX_EVENT_LOOP_DELAY_MS,
      retryAfter: 10,
      exposeStatusRoute: false,
    });
  }

  const authenticator = createInboundAuthenticator({
    jwtCertificatePem: config.INBOUND_JWT_CERT,
    jwtIssuer: config.INBOUND_JWT_ISSUER,
    jwtAudience: config.INBOUND_JWT_AUDIENCE,
    clockSkewS: config.INBOUND_JWT_CLOCK_SKEW_S,
    devApiKeys: config.INBOUND_API_KEYS,
    adminApiKeys: config.ADMIN_API_KEYS,
    tokenIds: parts.find((p) => p.tokenIds)?.tokenIds,
  });
  // Before any route is added, so every route — Swagger UI's too — gets the check.
  registerAccessControl(app, authenticator, (principal) => {
    for (const part of parts) part.onAuthenticated?.(principal);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'F&O Bridge proxy',
        version: VERSION,
        description:
          'Moves records between Salesforce and Dynamics 365 Finance & Operations. Every error is application/problem+json with a stable `code`.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description:
              'A JWT signed by a Salesforce External Credential (RS256, pinned certificate): scope `inventory` opens GET /v1/inventory, scope `sync` the sync routes (each jti once). Or a development API key.',
          },
          admin: { type: 'http', scheme: 'bearer', description: 'An operator key from ADMIN_API_KEYS.' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  // Swagger UI's routes are routes too: they declare access through this wrapper's onRoute hook.
  const docsAccess: RouteAccess = operationalAccess(config.DOCS_PUBLIC, config.NODE_ENV);
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, auth: docsAccess };
    });
    await docs.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  });

  const metricsAccess = operationalAccess(config.METRICS_PUBLIC, config.NODE_ENV);
  app.get(
    '/metrics',
    { config: { auth: metricsAccess }, schema: { hide: true } },
    async (_request, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    },
  );

  const readiness: Record<string, ReadinessCheck> = {};
  for (const part of parts) Object.assign(readiness, part.readiness);
  await app.register(healthRoutes, { checks: readiness });
  await app.register(pingRoutes);
  for (const part of parts) if (part.routes) await app.register(part.routes);

  app.addHook('onClose', async () => {
    // Close in reverse order of composition: flows before the store they write to.
    for (const part of [...parts].reverse()) {
      try {
        await part.close?.();
      } catch (err) {
        app.log.error({ err, part: part.name }, 'failed to close part');
      }
    }
  });

  app.log.debug({ auth: authenticator.describe() }, 'inbound authentication configured');
  return app as unknown as FastifyInstance;
}
