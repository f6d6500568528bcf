/**
 * Reference data entities: customer groups (writable), legal entities (read-only, not
 * company-scoped), operational sites and warehouses (read-only).
 */
import { loadSchema } from './schema.js';
import { str } from './helpers.js';
import type { EntityDef } from './types.js';

export const customerGroups: EntityDef = {
  set: 'CustomerGroups',
  typeName: 'CustomerGroup',
  aotName: 'CustCustomerGroupEntity',
  tableLabel: 'Customer groups',
  tableName: 'CustGroup',
  schema: loadSchema('CustomerGroups'),
  companyScoped: true,
  writable: true,
  navigation: {},
  dmfNames: ['Customer groups', 'CustCustomerGroupEntity', 'CustomerGroup', 'CustomerGroups'],
  // Real text (reference §3.1): "Customer group: Batch2, Batch 2 Test group T1."
  describeKey: (row) => `Customer group: ${str(row, 'CustomerGroupId')}, ${str(row, 'Description')}`,
};

export const legalEntities: EntityDef = {
  set: 'LegalEntities',
  typeName: 'LegalEntity',
  aotName: 'OMLegalEntity',
  tableLabel: 'Legal entities',
  tableName: 'CompanyInfo',
  schema: loadSchema('LegalEntities'),
  companyScoped: false,
  writable: false,
  navigation: {},
  dmfNames: ['Legal entities', 'OMLegalEntity', 'LegalEntity', 'LegalEntities'],
  describeKey: (row) => `Company: ${str(row, 'LegalEntityId')}`,
};

/** Operational sites (InventSite): the `site` a mapping file names for orders. */
export const operationalSites: EntityDef = {
  set: 'OperationalSites',
  typeName: 'OperationalSite',
  aotName: 'InventOperationalSiteEntity',
  tableLabel: 'Sites',
  tableName: 'InventSite',
  schema: loadSchema('OperationalSites'),
  companyScoped: true,
  writable: false,
  navigation: {},
  dmfNames: ['Sites', 'InventOperationalSiteEntity', 'OperationalSite', 'OperationalSites'],
  describeKey: (row) => `Site: ${str(row, 'SiteId')}`,
};

/** Warehouses (InventLocation), each in one operational site: the `warehouse` of a mapping file. */
export const warehouses: EntityDef = {
  set: 'Warehouses',
  typeName: 'Warehouse',
  aotName: 'InventWarehouseEntity',
  tableLabel: 'Warehouses',
  tableName: 'InventLocation',
  schema: loadSchema('Warehouses'),
  companyScoped: true,
  writable: false,
  navigation: {},
  dmfNames: ['Warehouses', 'InventWarehouseEntity', 'Warehouse'],
  describeKey: (row) => `Warehouse: ${str(row, 'WarehouseId')}`,
};
