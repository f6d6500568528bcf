/**
 * Every way the process can fail to start, as the one line an operator reads: the setting, what
 * is wrong, what to do. The stack is for LOG_LEVEL=debug only (see `main.ts`).
 */
import { ConfigError } from '../config.js';
import { reasonOf, StartupError } from './startup-error.js';

export const EX_CONFIG = 78;

export interface ListenTarget {
  port: number;
  host: string;
}

/** One line (no newline) that names the setting and the fix. */
export function explainStartupFailure(err: unknown, listen?: ListenTarget): string {
  return `fo-bridge: cannot start: ${describe(err, listen)}`;
}

function describe(err: unknown, listen?: ListenTarget): string {
  if (err instanceof ConfigError) {
    const problems = err.problems.map((p) => `- ${p.variable}: ${p.message}`).join(' ');
    const count = err.problems.length;
    return `Invalid configuration (${count} problem${count === 1 ? '' : 's'}) ${problems} — fix ${count === 1 ? 'it' : 'them'} in the environment or .env (docs/configuration.md)`;
  }
  if (err instanceof StartupError) return err.message;
  const code = (err as { code?: unknown } | null)?.code;
  if (listen && (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')) {
    const where = `${listen.host}:${listen.port}`;
    if (code === 'EADDRINUSE')
      return `PORT: ${where} is already in use; stop the other process or set PORT to a free port`;
    if (code === 'EACCES')
      return `PORT: no permission to listen on ${where}; use a port above 1023 (the container listens on 8080)`;
    return `HOST: ${listen.host} is not an address of this machine; set HOST=0.0.0.0 (all interfaces) or one of its addresses`;
  }
  return `${reasonOf(err)} (run with LOG_LEVEL=debug for the stack)`;
}

/** LOG_LEVEL as given (the config may be the very thing that failed to parse). */
export function wantsStack(env: NodeJS.ProcessEnv): boolean {
  return ['debug', 'trace'].includes((env.LOG_LEVEL ?? '').trim().toLowerCase());
}
