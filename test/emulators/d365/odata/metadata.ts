/**
 * A small `$metadata` (CSDL) document generated from the emulated schema: entity types with keys and
 * the emulated properties, the entity container `Resources`, namespace Microsoft.Dynamics.DataEntities
 * (§1.0). Real F&O metadata is >50 MB with annotations; this is only enough for discovery and doctor checks.
 */
import { ENTITY_DEFS } from '../entities/index.js';
import type { FieldSpec } from '../entities/schema.js';

function edmType(spec: FieldSpec): string {
  switch (spec.kind) {
    case 'string':
      return 'Edm.String';
    case 'decimal':
      return 'Edm.Decimal';
    case 'int32':
      return 'Edm.Int32';
    case 'int64':
      return 'Edm.Int64';
    case 'guid':
      return 'Edm.Guid';
    case 'binary':
      return 'Edm.Binary';
    case 'date':
    case 'datetime':
      return 'Edm.DateTimeOffset';
    case 'enum':
      return `Microsoft.Dynamics.DataEntities.${spec.enumType}`;
  }
}

let cached: string | undefined;

export function metadataDocument(): string {
  if (cached) return cached;
  const types = ENTITY_DEFS.map((def) => {
    const keys = def.schema.keys.map((k) => `<PropertyRef Name="${k}"/>`).join('');
    const props = [...def.schema.fields.values()]
      .map((f) => {
        const nullable =
          def.schema.keys.includes(f.name) || !(f.kind === 'string' || f.kind === 'enum')
            ? ' Nullable="false"'
            : '';
        return `<Property Name="${f.name}" Type="${edmType(f)}"${nullable}/>`;
      })
      .join('');
    const navs = Object.entries(def.navigation)
      .map(([name, nav]) => {
        const target = ENTITY_DEFS.find((d) => d.set === nav.target)!;
        const type = `Microsoft.Dynamics.DataEntities.${target.typeName}`;
        return `<NavigationProperty Name="${name}" Type="${nav.multiple ? `Collection(${type})` : type}"/>`;
      })
      .join('');
    return `<EntityType Name="${def.typeName}"><Key>${keys}</Key>${props}${navs}</EntityType>`;
  }).join('');
  const sets = ENTITY_DEFS.map(
    (d) => `<EntitySet Name="${d.set}" EntityType="Microsoft.Dynamics.DataEntities.${d.typeName}"/>`,
  ).join('');
  cached =
    '<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">' +
    '<edmx:DataServices><Schema Namespace="Microsoft.Dynamics.DataEntities" xmlns="http://docs.oasis-open.org/odata/ns/edm">' +
    `${types}<EntityContainer Name="Resources">${sets}</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
  return cached;
}
