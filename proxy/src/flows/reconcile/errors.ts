/**
 * Why a reconciliation cannot run or a report cannot be shown; each carries a stable `code`
 * (`http/error-handler.ts` answers with problem+json).
 */
import { DomainError } from '../../domain-error.js';

/** `--flow` named a flow the registry does not have. */
export class UnknownReconcileFlowError extends DomainError {
  readonly code = 'UNKNOWN_FLOW';
  constructor(
    readonly flow: string,
    readonly known: readonly string[],
  ) {
    super(`No flow "${flow}" to reconcile (flows: ${known.join(', ')})`);
    this.name = 'UnknownReconcileFlowError';
  }
}

/** No kept report has this id (never was, or overwritten: RECONCILE_HISTORY). */
export class ReportNotFoundError extends DomainError {
  readonly code = 'REPORT_NOT_FOUND';
  constructor(readonly id: string) {
    super(`No reconciliation report "${id}" is kept`);
    this.name = 'ReportNotFoundError';
  }
}
