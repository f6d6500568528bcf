/**
 * Why a live-inventory read could not be answered. Each carries a stable `code`; the HTTP layer
 * turns them into problem+json (`http/error-handler.ts`).
 */
import { DomainError } from '../../domain-error.js';

export abstract class InventoryError extends DomainError {}

/** The company is not mapped in the bridge configuration, or not a legal entity in F&O. */
export class UnknownCompanyError extends InventoryError {
  readonly code = 'UNKNOWN_COMPANY';
  constructor(
    readonly company: string,
    /** e.g. `is not a legal entity in F&O`: completes the sentence "Company "x" …". */
    readonly why: string,
  ) {
    super(`Company "${company}" ${why}`);
  }
}

/** F&O could not answer and nothing is cached: throttled (with the pause left) or down. */
export class InventoryUnavailableError extends InventoryError {
  constructor(
    readonly code: 'D365_THROTTLED' | 'D365_UNAVAILABLE',
    /** When a retry makes sense, in whole seconds (at least 1). */
    readonly retryAfterS: number,
    cause: unknown,
  ) {
    super(code === 'D365_THROTTLED' ? 'F&O is throttling requests' : 'F&O did not answer', { cause });
  }
}

/** The proxy has no F&O connection configured. */
export class D365NotConfiguredError extends InventoryError {
  readonly code = 'D365_NOT_CONFIGURED';
  constructor() {
    super('The proxy has no F&O connection');
  }
}
