/** What each emulated entity declares: identity, schema and business rules. */
import type { InfologLine } from '../odata/errors.js';
import type { Store } from '../store.js';
import type { EntitySchema, Row } from './schema.js';

export interface WriteContext {
  store: Store;
  /** Company used when the row carries no dataAreaId. */
  company: string;
  now: Date;
}

export interface NavigationDef {
  target: string;
  multiple: boolean;
  /** Pairs [field on this entity, field on target]; dataAreaId is always matched too when both are company-scoped. */
  on: ReadonlyArray<readonly [string, string]>;
}

export interface EntityDef {
  set: string;
  /** Public entity (type) name, e.g. CustomerV3. */
  typeName: string;
  /** AOT data entity name used in Infolog messages, e.g. CustCustomerV3Entity. */
  aotName: string;
  /** Main table label and name for "Cannot create a record in <label> (<table>)". */
  tableLabel: string;
  tableName: string;
  schema: EntitySchema;
  companyScoped: boolean;
  /** OData writes allowed (read-only entities can still be filled through the control API). */
  writable: boolean;
  navigation: Readonly<Record<string, NavigationDef>>;
  /** Names a DMF package manifest may use for this entity (label, AOT name, public names). */
  dmfNames: readonly string[];
  /** Text after "<table label> (<table>). " in the duplicate-key message, e.g. "Customer account: US-001, Contoso". */
  describeKey(row: Row): string;
  /** Fill defaults and number-sequence keys before validation. */
  onCreate?(row: Row, ctx: WriteContext, explicit: ReadonlySet<string>): void;
  /** Business validation; returns Infolog lines (empty = OK). */
  validate?(row: Row, ctx: WriteContext, op: 'create' | 'update', before?: Row): InfologLine[];
  /** Side effects after a successful write (recalculating totals...). */
  afterWrite?(row: Row, ctx: WriteContext, op: 'create' | 'update' | 'delete'): void;
}
