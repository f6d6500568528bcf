/**
 * The base of errors a caller can act on: a stable machine-readable `code` and a message for
 * people, nothing about transport. The HTTP layer maps each kind to its answer in one place
 * (`http/error-handler.ts`); the job worker and the CLI read the same `code`.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;

  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    // Logs and `instanceof`-free checks read the class's own name; set once here for every kind.
    this.name = new.target.name;
  }
}
