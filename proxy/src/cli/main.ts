#!/usr/bin/env node
/**
 * `fo-bridge <command> [options]`: the operators' executable (package.json `bin`), the same in
 * the container (`docker exec <container> fo-bridge …`) and in a clone (`npm run build`, then
 * `npx fo-bridge …`). Reads `.env` like the proxy does. The commands are in dispatch.ts.
 */
import { loadDotEnv } from '../config.js';
import { runCli } from './dispatch.js';

// Process entry: like the proxy's main.ts, the one place here that reads process.env.
loadDotEnv();
runCli(process.argv.slice(2), {
  env: process.env,
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
}).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`fo-bridge: ${(e as Error)?.message ?? String(e)}\n`);
    if (['debug', 'trace'].includes(process.env.LOG_LEVEL ?? ''))
      process.stderr.write(`${(e as Error)?.stack}\n`);
    process.exit(1);
  },
);
