/**
 * F&O checks: every entity the flows use answers a `$top=1` read in every mapped company (the
 * entity exists, is public/OData-enabled, and the app user's role may read it), every mapped
 * company is a legal entity, and every customer group, site and warehouse the mapping file
 * names exists there. Reads only, all in lane `bulk` so they never delay a rep or an order.
 */
import type { D365Client } from '../../d365/index.js';
import { D365NotFound } from '../../d365/errors.js';
import type { BridgeConfig } from '../../mapping/index.js';
import { checks, reason, type CheckResult } from './report.js';

const c = checks('fno');
const lane = 'bulk' as const;

/** The entity sets the flows read or write (accounts, contacts, orders, inventory). */
export const FLOW_ENTITIES = [
  'CustomersV3',
  'ContactPersons',
  'SalesOrderHeadersV2',
  'SalesOrderLines',
  'ReleasedProductsV2',
  'WarehousesOnHandV2',
] as const;

export async function fnoChecks(
  d365: D365Client | undefined,
  bridge: BridgeConfig | undefined,
): Promise<CheckResult[]> {
  if (!d365) return [c.info('entities', 'skipped: F&O is not configured')];
  const companies = bridge ? Object.keys(bridge.companies) : [];
  const out: CheckResult[] = [];

  let legal: Set<string>;
  try {
    const rows = await d365.odata
      .query<{ LegalEntityId: string }>('LegalEntities', { select: ['LegalEntityId'], lane })
      .all();
    legal = new Set(rows.map((r) => r.LegalEntityId.toLowerCase()));
  } catch (err) {
    return [
      c.fail(
        'reachable',
        `F&O at ${d365.url} does not answer: ${reason(err)}`,
        'check D365_URL and that the environment is running; see the entra checks',
      ),
    ];
  }
  if (!bridge) out.push(c.info('companies', 'no mapping file: no companies to check'));
  for (const company of companies) {
    out.push(
      legal.has(company)
        ? c.pass(`company.${company}`, `company ${company} exists`)
        : c.fail(
            `company.${company}`,
            `company ${company} is not a legal entity in F&O`,
            `fix companies.${company} in the mapping file, or create the legal entity`,
          ),
    );
  }
  const present = companies.filter((co) => legal.has(co));

  for (const entity of FLOW_ENTITIES) {
    const failed: string[] = [];
    for (const company of present) {
      try {
        await d365.odata.query(entity, { company, top: 1, lane }).all();
      } catch (err) {
        failed.push(`${company}: ${err instanceof D365NotFound ? 'not found' : reason(err)}`);
      }
    }
    out.push(
      failed.length === 0
        ? c.pass(`entity.${entity}`, `${entity} readable${present.length ? ` in ${present.join(', ')}` : ''}`)
        : c.fail(
            `entity.${entity}`,
            `${entity} cannot be read (${failed.join('; ')})`,
            `make sure the ${entity} data entity is public (OData-enabled) and the app user's security role may read it`,
          ),
    );
  }

  for (const company of present) {
    const cfg = bridge!.companies[company]!;
    out.push(
      await exists(
        d365,
        'CustomerGroups',
        { dataAreaId: company, CustomerGroupId: cfg.customerGroup },
        {
          id: `customerGroup.${company}`,
          what: `customer group ${cfg.customerGroup} in ${company}`,
          path: `companies.${company}.customerGroup`,
        },
      ),
    );
    if (cfg.paymentTerms) {
      out.push(
        c.info(
          `paymentTerms.${company}`,
          `payment terms ${cfg.paymentTerms} in ${company}: not checked (the terms-of-payment entity is not one this release reads); a wrong value shows as an F&O validation error on the first customer`,
        ),
      );
    }
    if (cfg.site) {
      out.push(
        await exists(
          d365,
          'OperationalSites',
          { dataAreaId: company, SiteId: cfg.site },
          {
            id: `site.${company}`,
            what: `site ${cfg.site} in ${company}`,
            path: `companies.${company}.site`,
          },
        ),
      );
    }
    if (cfg.warehouse) out.push(await warehouseCheck(d365, company, cfg.warehouse, cfg.site));
  }
  return out;
}

async function exists(
  d365: D365Client,
  entity: string,
  key: Record<string, string>,
  o: { id: string; what: string; path: string },
): Promise<CheckResult> {
  try {
    const row = await d365.odata.findByKey(entity, key, { lane });
    return row
      ? c.pass(o.id, `${o.what} exists`)
      : c.fail(
          o.id,
          `${o.what} does not exist in F&O`,
          `fix ${o.path} in the mapping file, or create it in F&O`,
        );
  } catch (err) {
    return c.fail(
      o.id,
      `${o.what}: cannot read ${entity}: ${reason(err)}`,
      `let the app user's role read ${entity}`,
    );
  }
}

async function warehouseCheck(
  d365: D365Client,
  company: string,
  warehouse: string,
  site: string | undefined,
): Promise<CheckResult> {
  const id = `warehouse.${company}`;
  const path = `companies.${company}.warehouse`;
  try {
    const row = await d365.odata.findByKey<{ OperationalSiteId?: string }>(
      'Warehouses',
      { dataAreaId: company, WarehouseId: warehouse },
      { lane },
    );
    if (!row)
      return c.fail(
        id,
        `warehouse ${warehouse} does not exist in ${company}`,
        `fix ${path} in the mapping file, or create the warehouse in F&O`,
      );
    if (site && row.OperationalSiteId && row.OperationalSiteId !== site)
      return c.fail(
        id,
        `warehouse ${warehouse} in ${company} is in site ${row.OperationalSiteId}, not ${site}`,
        `fix ${path} or companies.${company}.site in the mapping file`,
      );
    return c.pass(id, `warehouse ${warehouse} exists in ${company}${site ? ` (site ${site})` : ''}`);
  } catch (err) {
    return c.fail(
      id,
      `warehouse ${warehouse} in ${company}: cannot read Warehouses: ${reason(err)}`,
      "let the app user's role read Warehouses",
    );
  }
}
