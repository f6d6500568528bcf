export { createSalesforceClient } from './client.js';
export type { SalesforceClient, SalesforceClientOptions, UpsertManyOptions, UpsertResult } from './client.js';
export { SalesforceApiError, SalesforceAuthError, SalesforceError, SalesforceLimitError } from './errors.js';
export type { SalesforceErrorDetail } from './errors.js';
export { createNamespacer } from './names.js';
export type { Namespacer } from './names.js';
export type { ApiBudget, BudgetSnapshot } from './budget.js';
export type { LoggerLike, RecordResult, SfRecord, UpsertManyResult } from './types.js';
