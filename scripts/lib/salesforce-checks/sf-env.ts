// Environment for every Salesforce CLI call: no auto-update, telemetry or release notes, and every
// file the CLI writes (config, cache, logs, ~/.sf, ~/.sfdx) kept under <repo>/.tmp/sf.
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export function sfEnvironment(repoRoot: string): NodeJS.ProcessEnv {
  const base = path.join(repoRoot, '.tmp', 'sf');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // @oclif/plugin-update reads SF_DISABLE_AUTOUPDATE; the older name alone leaves a detached updater.
    SF_DISABLE_AUTOUPDATE: 'true',
    SF_AUTOUPDATE_DISABLE: 'true',
    SF_DISABLE_TELEMETRY: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_HIDE_RELEASE_NOTES: 'true',
    SF_HIDE_RELEASE_NOTES_FOOTER: 'true',
    SF_USE_PROGRESS_BAR: 'false',
    NO_COLOR: '1',
    XDG_DATA_HOME: path.join(base, 'data'),
    XDG_CACHE_HOME: path.join(base, 'cache'),
    XDG_CONFIG_HOME: path.join(base, 'config'),
    // sf writes ~/.sf/sf-<date>.log and ~/.sfdx/alias.json whatever XDG says.
    HOME: path.join(base, 'home'),
  };
  for (const key of ['XDG_DATA_HOME', 'XDG_CACHE_HOME', 'XDG_CONFIG_HOME', 'HOME'] as const) {
    mkdirSync(env[key]!, { recursive: true });
  }
  return env;
}

export const sfBinary = (repoRoot: string): string => path.join(repoRoot, 'node_modules', '.bin', 'sf');
