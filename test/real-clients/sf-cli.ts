import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * Runs the Salesforce CLI installed in node_modules (`@salesforce/cli`) as a user would, with
 * `--json`, and every file it writes (auth files, aliases, logs, config, cache) under one
 * directory of the test run, so it never reads or touches the user's own orgs. Nothing of the
 * caller's environment reaches it but PATH: no SF_* / SFDX_* variable, no real HOME.
 */

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RUN_JS = join(REPO_ROOT, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js');
const run = promisify(execFile);

export interface SfJson<T = any> {
  status: number;
  result: T;
  warnings?: string[];
  name?: string;
  message?: string;
}

export interface SfCli {
  /** `sf <args> --json`; resolves with the parsed output whatever the exit code. */
  (args: string[], extraEnv?: Record<string, string>): Promise<SfJson>;
  readonly stateDir: string;
}

export function sfCli(stateDir: string): SfCli {
  const home = join(stateDir, 'home');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_CONFIG_HOME: join(home, '.config'),
    // Auth files in plain JSON under HOME instead of the desktop keychain.
    SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
    SF_DISABLE_TELEMETRY: 'true',
    // @oclif/plugin-update reads SF_DISABLE_AUTOUPDATE; the older name alone leaves a detached updater.
    SF_DISABLE_AUTOUPDATE: 'true',
    SF_AUTOUPDATE_DISABLE: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_HIDE_RELEASE_NOTES: 'true',
    SF_HIDE_RELEASE_NOTES_FOOTER: 'true',
    SF_USE_PROGRESS_BAR: 'false',
    NO_COLOR: '1',
  };
  for (const dir of [env.XDG_DATA_HOME!, env.XDG_CACHE_HOME!, env.XDG_CONFIG_HOME!]) {
    mkdirSync(dir, { recursive: true });
  }
  const cli = async (args: string[], extraEnv: Record<string, string> = {}): Promise<SfJson> => {
    let stdout: string;
    try {
      ({ stdout } = await run(process.execPath, [RUN_JS, ...args, '--json'], {
        cwd: stateDir,
        env: { ...env, ...extraEnv },
        timeout: 60_000,
        maxBuffer: 32 * 1024 * 1024,
      }));
    } catch (err) {
      // A failing command exits non-zero but still prints its JSON error.
      const e = err as { stdout?: string; stderr?: string; message: string };
      if (!e.stdout) throw new Error(`sf ${args[0]} ${args[1]} failed: ${e.stderr ?? e.message}`);
      stdout = e.stdout;
    }
    return JSON.parse(stdout) as SfJson;
  };
  return Object.assign(cli, { stateDir });
}

/** The JSON Schema a CLI plugin ships for a command's `--json` result. */
export function pluginSchemaPath(plugin: string, file: string): string {
  return join(REPO_ROOT, 'node_modules', '@salesforce', plugin, 'schemas', file);
}
