/**
 * Start-up as an operator sees it, on the built proxy (`node proxy/dist/main.js`): with the
 * defaults it starts (creating ./data, warning once that F&O is not configured); every start-up
 * failure is one line on stderr naming the setting and the fix, exit code 78, no stack unless
 * LOG_LEVEL=debug.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtProxy } from '../../../test/support/built-proxy.js';

let main: string;
const dir = mkdtempSync(join(tmpdir(), 'fob-startup-'));
beforeAll(async () => {
  main = join(await builtProxy(), 'main.js');
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built proxy in `cwd` with only `env` (no .env there); `untilListening` then SIGTERM. */
function run(
  env: Record<string, string>,
  opts: { cwd?: string; untilListening?: boolean } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [main], {
      cwd: opts.cwd ?? dir,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += String(c);
      if (opts.untilListening && stdout.includes('Server listening at')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (c: Buffer) => (stderr += String(c)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Exit 78, exactly one line on stderr that names `setting`, and no stack anywhere. */
function expectOneLineFailure(r: Run, setting: string, fix: RegExp) {
  expect(r.code, r.stderr).toBe(78);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^fo-bridge: cannot start: .*\\b${setting}\\b`));
  expect(lines[0]).toMatch(fix);
  expect(r.stderr + r.stdout).not.toMatch(/\n\s+at /);
}

describe('start-up of the built proxy', () => {
  it('starts with the defaults: creates ./data for SQLite and warns once that F&O is not configured', async () => {
    const cwd = mkdtempSync(join(dir, 'fresh-'));
    const r = await run({}, { cwd, untilListening: true });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(cwd, 'data/bridge.db'))).toBe(true);
    const warnings = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/^F&O is not configured \(set D365_URL/);
    expect(r.stderr).toBe('');
  });

  it('an invalid variable', async () => {
    const r = await run({ PORT: 'abc' });
    expectOneLineFailure(r, 'PORT', /docs\/configuration\.md/);
    expect(r.stderr).toContain('Invalid configuration (1 problem)');
  });

  it('a BRIDGE_CONFIG file that does not exist', async () => {
    const r = await run({ BRIDGE_CONFIG: join(dir, 'no-such-mapping.json') });
    expectOneLineFailure(r, 'BRIDGE_CONFIG', /file not found; point BRIDGE_CONFIG at a valid mapping file/);
  });

  it('a BRIDGE_CONFIG file that is not valid', async () => {
    const file = join(dir, 'broken-mapping.json');
    writeFileSync(file, '{ "companies": ');
    const r = await run({ BRIDGE_CONFIG: file });
    expectOneLineFailure(r, 'BRIDGE_CONFIG', /not valid JSON.*docs\/mapping\.md/);
  });

  it('a SQLite store that cannot be opened', async () => {
    const file = join(dir, 'not-a-database.db');
    writeFileSync(file, 'this is not SQLite');
    expectOneLineFailure(
      await run({ STORE_URL: `sqlite:${file}` }),
      'STORE_URL',
      /not a database; point STORE_URL/,
    );
  });

  it('a SQLite folder that cannot be created', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const r = await run({ STORE_URL: `sqlite:${blocker}/bridge.db` });
    expectOneLineFailure(r, 'STORE_URL', /cannot create the folder of the SQLite store/);
  });

  it('PostgreSQL unreachable (password not printed)', async () => {
    const port = await freePort();
    const r = await run({ STORE_URL: `postgres://bridge:s3cret-pw@127.0.0.1:${port}/bridge` });
    expectOneLineFailure(r, 'STORE_URL', /ECONNREFUSED.*start PostgreSQL or correct STORE_URL/);
    expect(r.stderr).not.toContain('s3cret-pw');
  });

  it('a port already in use', async () => {
    const server = createServer();
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const r = await run({ PORT: String((server.address() as AddressInfo).port) });
      expectOneLineFailure(r, 'PORT', /already in use; stop the other process or set PORT/);
    } finally {
      server.close();
    }
  });

  it('LOG_LEVEL=debug adds the stack after the line', async () => {
    const r = await run({ LOG_LEVEL: 'debug', BRIDGE_CONFIG: join(dir, 'no-such-mapping.json') });
    expect(r.code).toBe(78);
    expect(r.stderr.split('\n')[0]).toMatch(/^fo-bridge: cannot start: BRIDGE_CONFIG/);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address() as AddressInfo;
  await new Promise((ok) => s.close(ok));
  return port;
}
