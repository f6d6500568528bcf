/**
 * Why an F&O → Salesforce run cannot start; each carries a stable `code`
 * (`http/error-handler.ts` answers with problem+json).
 */
import { DomainError } from '../../domain-error.js';

/** A run needs F&O, Salesforce and the mapping file; `missing` names what is not configured. */
export class FlowNotConfiguredError extends DomainError {
  readonly code = 'FLOW_NOT_CONFIGURED';
  constructor(
    readonly flow: string,
    readonly missing: readonly string[],
  ) {
    super(`The ${flow} flow cannot run: ${missing.join(', ')} not configured`);
  }
}

/** A run was asked for a company that is not under `companies` in the mapping file. */
export class UnmappedCompanyError extends DomainError {
  readonly code = 'UNKNOWN_COMPANY';
  constructor(readonly company: string) {
    super(`Company "${company}" is not mapped in the bridge configuration`);
  }
}
