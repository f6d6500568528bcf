import type { FastifyContextConfig, FastifyRequest } from 'fastify';
import type { CallKind } from '../state.js';

/** Which API kind a call counts as (no kind = not a REST API call, e.g. the control API). */
export type KindSpec = CallKind | ((request: FastifyRequest) => CallKind);

/**
 * Route `config` carrying the kind. Kept under a private key and cast, rather than augmenting
 * Fastify's global `FastifyContextConfig`, so the proxy's own route config types stay clean.
 */
export function apiKind(kind: KindSpec): FastifyContextConfig {
  return { sfEmulatorKind: kind } as unknown as FastifyContextConfig;
}

export function kindOf(request: FastifyRequest): CallKind | undefined {
  const kind = (request.routeOptions.config as { sfEmulatorKind?: KindSpec } | undefined)?.sfEmulatorKind;
  return typeof kind === 'function' ? kind(request) : kind;
}
