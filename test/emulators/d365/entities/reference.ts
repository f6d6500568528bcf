/** Reference data entities: customer groups (writable) and legal entities (read-only, not company-scoped). */
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
