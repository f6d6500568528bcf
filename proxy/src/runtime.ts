/**
 * Builds the proxy's parts from config: the durable store, the F&O and Salesforce clients, the
 * job queue and the flows. `main.ts`, the sandbox and the end-to-end tests use it; unit tests
 * build parts themselves and pass them to `buildApp`.
 *
 * A part whose upstream is not configured still registers its routes (so the API and its
 * OpenAPI document are the same everywhere) and answers 503 `…_NOT_CONFIGURED`, and `/readyz`
 * says what is missing.
 */
import type { Logger } from 'pino';
import type { AppPart } from './app.js';
import type { Config } from './config.js';
import { createD365Client, d365OptionsFromConfig, type D365Client, type D365ClientOptions } from './d365/index.js';
import { createD365InventorySource } from './flows/inventory/d365-inventory-source.js';
import { createInventoryService, type InventorySource } from './flows/inventory/inventory-service.js';
import { ProblemError } from './http/problem.js';
import inventoryRoutes from './http/routes/inventory.js';
import type { Registry } from './metrics.js';

export interface RuntimeContext {
  logger: Logger;
  registry: Registry;
  /** Tests and the sandbox: adjust the F&O client (e.g. point the token endpoint at an emulator). */
  d365Overrides?: Partial<D365ClientOptions>;
}

export interface Runtime {
  parts: AppPart[];
  d365: D365Client | undefined;
}

export async function createRuntime(config: Config, ctx: RuntimeContext): Promise<Runtime> {
  const parts: AppPart[] = [];

  // ── F&O ───────────────────────────────────────────────────────────────────────────────
  const d365Options = d365OptionsFromConfig(config, {
    registry: ctx.registry,
    logger: ctx.logger.child({ component: 'd365' }),
    ...ctx.d365Overrides,
  });
  const d365 = d365Options ? createD365Client(d365Options) : undefined;
  parts.push({
    name: 'd365',
    readiness: {
      d365: d365
        ? async () => d365.readiness()
        : async () => ({
            ok: false,
            detail: 'F&O is not configured: set D365_URL, D365_TENANT_ID, D365_CLIENT_ID and D365_CLIENT_SECRET',
          }),
    },
    close: async () => d365?.close(),
  });

  // ── flow 5: live inventory ────────────────────────────────────────────────────────────
  const inventory = createInventoryService({
    source: d365 ? createD365InventorySource(d365.odata, d365.governor) : notConfiguredSource(),
    ttlMs: config.INVENTORY_TTL_S * 1000,
    refreshWaitMs: config.INVENTORY_REFRESH_WAIT_MS,
  });
  parts.push({ name: 'inventory', routes: async (app) => app.register(inventoryRoutes, { inventory }) });

  return { parts, d365 };
}

/** Kept for callers that only need the parts. */
export async function createParts(config: Config, ctx: RuntimeContext): Promise<AppPart[]> {
  return (await createRuntime(config, ctx)).parts;
}

function notConfiguredSource(): InventorySource {
  const fail = async (): Promise<never> => {
    throw new ProblemError({
      status: 503,
      code: 'D365_NOT_CONFIGURED',
      title: 'F&O is not configured',
      detail: 'The proxy has no F&O connection: set D365_URL, D365_TENANT_ID, D365_CLIENT_ID and D365_CLIENT_SECRET.',
    });
  };
  return { fetchOnHand: fail, fetchKnownItems: fail, fetchCompanies: fail };
}
