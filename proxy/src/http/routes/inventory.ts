/**
 * `GET /v1/inventory`: what F&O has available for the items of an Opportunity, per site and
 * warehouse. Called by the `InventoryController` Apex class through the Named Credential.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { InventoryService } from '../../flows/inventory/inventory-service.js';

export const MAX_ITEMS = 200;

const quantities = {
  availableOnHand: z.number(),
  reserved: z.number(),
  onOrder: z.number(),
  ordered: z.number(),
  totalAvailable: z.number(),
};

export const inventoryQuerySchema = z.object({
  items: z
    .string()
    .describe(`Comma-separated item numbers (ItemNumber in F&O), at most ${MAX_ITEMS}.`)
    .transform((s) =>
      s
        .split(',')
        .map((i) => i.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.string().max(50, 'an item number has at most 50 characters'))
        .min(1, 'name at least one item')
        .max(MAX_ITEMS, `at most ${MAX_ITEMS} items per request`),
    ),
  company: z
    .string()
    .regex(/^[A-Za-z0-9]{1,4}$/, 'must be an F&O legal entity id (dataAreaId, up to 4 letters or digits)')
    .describe('F&O legal entity (dataAreaId), e.g. usmf.'),
  site: z.string().max(10).optional().describe('Only this site (InventorySiteId).'),
  warehouse: z.string().max(10).optional().describe('Only this warehouse (InventoryWarehouseId).'),
});

export const inventoryResponseSchema = z.object({
  asOf: z.string().describe('When F&O was read (ISO 8601). Older than the cache TTL when stale.'),
  stale: z.boolean().describe('True when F&O could not be read just now and the last known value is served.'),
  company: z.string(),
  items: z.array(
    z.object({
      itemNumber: z.string(),
      totals: z.object(quantities),
      locations: z.array(z.object({ site: z.string(), warehouse: z.string(), ...quantities })),
    }),
  ),
  unknownItems: z.array(z.string()).describe('Item numbers F&O does not know in this company.'),
});

const problem = z
  .object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string(), code: z.string() })
  .loose();

export default async function inventoryRoutes(
  app: FastifyInstance,
  opts: { inventory: InventoryService },
): Promise<void> {
  app.get(
    '/v1/inventory',
    {
      // The rep's widget credential; the sync credential cannot read inventory (least privilege).
      config: { auth: 'widget' },
      // The hot route: the answer is built by InventoryService with these very types, so it is
      // stringified as is instead of parsed against the schema again first (the app-wide zod
      // serializer did that on every read, ~14 % of the proxy's CPU on a cached read). The schema
      // below still documents it (OpenAPI) and the route tests check it.
      serializerCompiler: () => (data) => JSON.stringify(data),
      schema: {
        tags: ['inventory'],
        summary: 'Live F&O inventory for a set of items',
        description:
          'One F&O read for all items, cached for INVENTORY_TTL_S; when F&O is throttled or down the last known value is served with stale=true. With nothing cached: 503 D365_THROTTLED (with Retry-After) or D365_UNAVAILABLE.',
        security: [{ bearer: [] }],
        querystring: inventoryQuerySchema,
        response: { 200: inventoryResponseSchema, 400: problem, 503: problem },
      },
    },
    async (request) => {
      const q = request.query as z.output<typeof inventoryQuerySchema>;
      return opts.inventory.get({ company: q.company, items: q.items, site: q.site, warehouse: q.warehouse });
    },
  );
}
