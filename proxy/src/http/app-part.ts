import type { FastifyInstance } from 'fastify';
import type { TokenIdLedger } from '../jobs/store/token-ids/token-id-ledger.js';
import type { Principal } from './auth.js';
import type { ReadinessCheck } from './readiness.js';

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
