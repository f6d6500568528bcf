/**
 * A start-up step that failed because of one setting: which setting, and what the operator
 * should do about it. `main.ts` prints it as one line and exits 78 (EX_CONFIG).
 */
export class StartupError extends Error {
  constructor(
    /** The environment variable to look at, e.g. `STORE_URL`. */
    readonly setting: string,
    /** What went wrong, in one sentence (never a secret). */
    readonly problem: string,
    /** What to do about it. */
    readonly fix: string,
    options?: { cause?: unknown },
  ) {
    super(`${setting}: ${problem}; ${fix}`, options);
    this.name = 'StartupError';
  }
}

interface Problem {
  path?: string;
  message: string;
  line?: number;
}

/**
 * The reason in one line: an error that lists `problems` (the mapping file's) gives them all;
 * otherwise the innermost cause's first line (a PostgreSQL `ECONNREFUSED` hides in an AggregateError).
 */
export function reasonOf(err: unknown): string {
  let e = err as
    | { cause?: unknown; errors?: unknown[]; message?: string; code?: unknown; problems?: Problem[] }
    | undefined;
  if (Array.isArray(e?.problems) && e.problems.length > 0)
    return e.problems
      .map(
        (p) => `${p.line !== undefined ? `line ${p.line}: ` : ''}${p.path ? `${p.path}: ` : ''}${p.message}`,
      )
      .join('; ');
  for (let depth = 0; e?.cause !== undefined && depth < 5; depth++) e = e.cause as typeof e;
  if (e instanceof AggregateError && e.errors.length > 0) e = e.errors[0] as typeof e;
  const message = String(e?.message ?? '')
    .split('\n')[0]!
    .trim();
  return message || (typeof e?.code === 'string' ? e.code : String(err));
}

/**
 * Runs one start-up step; a failure becomes a StartupError about `setting`. The problem is
 * `what` plus the reason of the original error, which is kept as the cause (for LOG_LEVEL=debug).
 */
export async function startupStep<T>(
  setting: string,
  what: string,
  fix: string,
  step: () => T | Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof StartupError) throw err;
    throw new StartupError(setting, `${what}: ${reasonOf(err)}`, fix, { cause: err });
  }
}
