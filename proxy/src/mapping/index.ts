/**
 * Salesforce records ⇄ F&O entities: pure functions plus the declarative mapping config
 * (docs/mapping.md). Depends on zod and pure libraries only; nothing here does I/O except
 * `loadBridgeConfig`, which reads the config file once at startup.
 */
export {
  BridgeConfigError,
  BridgeConfigSchema,
  ORDER_CORRELATION_FIELD,
  customerCorrelationField,
  loadBridgeConfig,
  numberingFor,
  parseBridgeConfig,
  validateBridgeConfig,
  type BridgeConfig,
  type BridgeConfigInput,
  type CompanyConfig,
  type ConfigProblem,
  type CustomerNumbering,
  type OrderNumbering,
} from './bridge-config.js';
export { routeLegalEntity, routingSourceField, type Route } from './routing.js';
export {
  customerAccountFromSequence,
  customerChanges,
  customerWithAccount,
  mapAccountToCustomer,
  mapAccountUpdate,
  newCustomer,
  readAccount,
  type AccountToSync,
  type CustomerBody,
  type CustomerIdentity,
  type CustomerLookup,
  type CustomerMapOptions,
  type CustomerUpdateIdentity,
  type NewCustomerIdentity,
} from './customer.js';
export {
  contactChanges,
  contactPersonWithParty,
  mapContactToContactPerson,
  mapContactUpdate,
  newContactPerson,
  readContact,
  type ContactMapOptions,
  type ContactPersonBody,
  type ContactPersonIdentity,
  type ContactPersonUpdateIdentity,
  type ContactToSync,
} from './contact.js';
export {
  MAX_ORDER_LINES,
  mapOpportunityToSalesOrder,
  readOpportunity,
  salesOrderFrom,
  type OpportunityToSync,
  type SalesOrder,
  type SalesOrderHeaderBody,
  type SalesOrderIdentity,
  type SalesOrderLineBody,
} from './sales-order.js';
export {
  AccountRecord,
  ContactRecord,
  OpportunityLineItemRecord,
  OpportunityRecord,
  PACKAGE_FIELDS,
  SalesforceId,
  SalesforceRecord,
  apiName,
  type ReadOptions,
} from './records.js';
export {
  REJECTION_CODES,
  isRejection,
  type MapResult,
  type Mapped,
  type MappingWarning,
  type Rejection,
  type RejectionCode,
} from './result.js';
export { resolveCountry, resolveState, type Country } from './countries.js';
export { splitStreet, type StreetParts } from './street.js';
export { truncateAtWord } from './names.js';
export { fnoDateOnly, salesforceDate } from './dates.js';
