/** Reconciliation: Salesforce against F&O, per flow and company (docs/reconciliation.md). */
export type {
  ExpectedContext,
  ExpectedRecord,
  FnoToSalesforcePair,
  FnoToSalesforceReconcile,
  SalesforceToFnoReconcile,
} from './declaration.js';
export { ReportNotFoundError, UnknownReconcileFlowError } from './errors.js';
export { ReconcileReport, ReportSummary, renderReport } from './report.js';
export { reconcile, reconcileFlowNames, type ReconcileOptions } from './run.js';
export { RECONCILE_FLOW, ReconcileRequest, registerReconcile, type Reconciler } from './service.js';
