/**
 * Reads on-hand quantities, released products and legal entities from F&O for the inventory
 * service, on the governor's `interactive` lane (a rep is waiting: it goes before background work).
 */
import type { Governor, ODataClient } from '../../d365/index.js';
import type { InventorySource, OnHandRow } from './inventory-service.js';

interface WarehouseOnHand {
  ItemNumber: string;
  InventorySiteId: string;
  InventoryWarehouseId: string;
  AvailableOnHandQuantity: number;
  ReservedOnHandQuantity: number;
  OnOrderQuantity: number;
  OrderedQuantity: number;
  TotalAvailableQuantity: number;
}

const ON_HAND_FIELDS = [
  'ItemNumber',
  'InventorySiteId',
  'InventoryWarehouseId',
  'AvailableOnHandQuantity',
  'ReservedOnHandQuantity',
  'OnOrderQuantity',
  'OrderedQuantity',
  'TotalAvailableQuantity',
] as const;

export function createD365InventorySource(odata: ODataClient, governor?: Governor): InventorySource {
  const lane = 'interactive' as const;
  return {
    async fetchOnHand(company, items) {
      const rows: OnHandRow[] = [];
      // One query for all items: or-ed `ItemNumber eq` terms (F&O has no `in`), chunked when long.
      for await (const r of odata.queryAnyOf<WarehouseOnHand>('WarehousesOnHandV2', 'ItemNumber', items, {
        company,
        select: ON_HAND_FIELDS,
        lane,
      })) {
        rows.push({
          itemNumber: r.ItemNumber,
          site: r.InventorySiteId,
          warehouse: r.InventoryWarehouseId,
          availableOnHand: r.AvailableOnHandQuantity,
          reserved: r.ReservedOnHandQuantity,
          onOrder: r.OnOrderQuantity,
          ordered: r.OrderedQuantity,
          totalAvailable: r.TotalAvailableQuantity,
        });
      }
      return rows;
    },
    async fetchKnownItems(company, items) {
      const known = new Set<string>();
      for await (const r of odata.queryAnyOf<{ ItemNumber: string }>(
        'ReleasedProductsV2',
        'ItemNumber',
        items,
        {
          company,
          select: ['ItemNumber'],
          lane,
        },
      )) {
        known.add(r.ItemNumber);
      }
      return known;
    },
    pausedUntil: () => governor?.status().pausedUntil ?? 0,
    async fetchCompanies() {
      const rows = await odata
        .query<{ LegalEntityId: string }>('LegalEntities', { select: ['LegalEntityId'], lane })
        .all();
      return new Set(rows.map((r) => r.LegalEntityId.toLowerCase()));
    },
  };
}
