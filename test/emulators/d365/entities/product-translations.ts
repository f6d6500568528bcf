/**
 * ProductTranslations (EcoResProductTranslationEntity): a product's name and description per
 * language. Released products carry no name (ReleasedProductsV2 has SearchName only); the name a
 * customer sees comes from here. Products are shared by all companies, so the entity has no
 * dataAreaId: the key is the product number and the language.
 */
import { str } from './helpers.js';
import type { EntitySchema, FieldSpec } from './schema.js';
import type { EntityDef } from './types.js';

const FIELDS: ReadonlyArray<[string, FieldSpec['kind']]> = [
  ['ProductNumber', 'string'],
  ['LanguageId', 'string'],
  ['ProductName', 'string'],
  ['Description', 'string'],
];

const schema: EntitySchema = {
  keys: ['ProductNumber', 'LanguageId'],
  fields: new Map(FIELDS.map(([name, kind]) => [name, { name, kind, defaultValue: '' }])),
  realProperties: new Set(FIELDS.map(([name]) => name)),
  realNavigation: [],
};

export const productTranslations: EntityDef = {
  set: 'ProductTranslations',
  typeName: 'ProductTranslation',
  aotName: 'EcoResProductTranslationEntity',
  tableLabel: 'Product translations',
  tableName: 'EcoResProductTranslation',
  schema,
  companyScoped: false,
  writable: true,
  navigation: {},
  dmfNames: [
    'Product translations',
    'EcoResProductTranslationEntity',
    'ProductTranslation',
    'ProductTranslations',
  ],
  describeKey: (row) => `Product: ${str(row, 'ProductNumber')}, ${str(row, 'LanguageId')}`,
};
