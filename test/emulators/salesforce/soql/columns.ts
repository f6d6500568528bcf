import soqlParser from 'soql-parser-js';
import type { FieldType } from 'soql-parser-js';

/**
 * `GET /query?q=…&columns=true`: the query's column metadata instead of its rows. Not in the
 * REST API guide, but the Developer Console and `sf data query` call it to lay out their
 * tables, so a real org answers it. Parent paths nest as `joinColumns`; a child subquery is
 * an `aggregate` column whose `joinColumns` are its fields. Names are as written in the query.
 */

export interface ColumnMetadata {
  aggregate: boolean;
  apexType: string | null;
  booleanType: boolean;
  columnName: string;
  custom: boolean;
  displayName: string;
  foreignKeyName: string | null;
  insertable: boolean;
  joinColumns: ColumnMetadata[];
  numberType: boolean;
  textType: boolean;
  updatable: boolean;
}

const column = (name: string, joinColumns: ColumnMetadata[] = [], aggregate = false): ColumnMetadata => ({
  aggregate,
  apexType: null,
  booleanType: false,
  columnName: name,
  custom: name.endsWith('__c') || name.endsWith('__r'),
  displayName: name,
  foreignKeyName: null,
  insertable: false,
  joinColumns,
  numberType: false,
  textType: false,
  updatable: false,
});

function toColumn(f: FieldType): ColumnMetadata {
  switch (f.type) {
    case 'Field':
      return column(f.field);
    case 'FieldRelationship':
      // Account.Owner.Name → Account { Owner { Name } }
      return f.relationships.reduceRight<ColumnMetadata>(
        (inner, rel) => column(rel, [inner]),
        column(f.field),
      );
    case 'FieldSubquery':
      return column(f.subquery.relationshipName, (f.subquery.fields ?? []).map(toColumn), true);
    case 'FieldFunctionExpression':
      return { ...column(f.alias ?? 'expr0', [], true), displayName: f.rawValue ?? f.functionName };
    default:
      return column(f.type === 'FieldTypeof' ? f.field : 'expr0');
  }
}

/** The query's top-level columns and the object it reads. The query was already run once. */
export function queryColumns(soql: string) {
  const parsed = soqlParser.parseQuery(soql);
  const columnMetadata = (parsed.fields ?? []).map(toColumn);
  return {
    columnMetadata,
    entityName: parsed.sObject ?? '',
    groupBy: parsed.groupBy !== undefined,
    idSelected: columnMetadata.some((c) => c.columnName.toLowerCase() === 'id'),
    keyPrefix: null,
  };
}
