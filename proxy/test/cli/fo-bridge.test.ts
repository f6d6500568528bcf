/**
 * The operators' executable as it ships: the built `fo-bridge` (package.json `bin` →
 * proxy/dist/cli/main.js) run as a process. `--help` on every command, a clear error and exit
 * 64 for an unknown one, and a real command against a SQLite store.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtProxy } from '../../../test/support/built-proxy.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fob-cli-'));
let cli: string;
beforeAll(async () => {
  cli = join(await builtProxy(), 'cli/main.js');
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function fobridge(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [cli, ...argv], {
      cwd: dir, // no .env there
      env: { PATH: process.env.PATH ?? '', STORE_URL: `sqlite:${join(dir, 'bridge.db')}` },
    });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('fo-bridge (built)', () => {
  it('is the package bin, an executable node script', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(pkg.bin).toEqual({ 'fo-bridge': 'proxy/dist/cli/main.js' });
    expect(readFileSync(cli, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('--help lists the commands', async () => {
    const r = await fobridge('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: fo-bridge <command> \[options\]/);
    expect(r.stdout).toMatch(/^ {2}dead-letters {2}list, show, replay or discard/m);
  });

  it('an unknown command or none: a clear error and exit 64 (EX_USAGE)', async () => {
    const unknown = await fobridge('reconsile');
    expect(unknown.code).toBe(64);
    expect(unknown.stderr.trim()).toBe(
      'fo-bridge: unknown command "reconsile" (commands: dead-letters, doctor, reconcile, products, invoices, payments); see fo-bridge --help',
    );
    expect(unknown.stdout).toBe('');
    const none = await fobridge();
    expect(none.code).toBe(64);
    expect(none.stderr).toMatch(/^usage: fo-bridge <command>/);
  });

  it('dead-letters --help shows every subcommand', async () => {
    const r = await fobridge('dead-letters', '--help');
    expect(r.code).toBe(0);
    for (const sub of ['list', 'show', 'replay', 'discard'])
      expect(r.stdout).toContain(`fo-bridge dead-letters ${sub}`);
  });

  it.each(['list', 'show', 'replay', 'discard'])('dead-letters %s --help', async (sub) => {
    const r = await fobridge('dead-letters', sub, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^fo-bridge dead-letters ${sub} `));
    expect(r.stdout).not.toContain('usage:'); // its own help, not the overview
  });

  it('dead-letters: an unknown subcommand is a usage error (exit 2)', async () => {
    const r = await fobridge('dead-letters', 'purge');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^unknown command "purge"/);
  });

  it('dead-letters list runs against STORE_URL', async () => {
    const r = await fobridge('dead-letters', 'list', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ items: [], nextCursor: null });
  });
});
