/** `fo-bridge payments sync`: usage, and a run that cannot start says why (exit 1). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { overview, runCli } from '../../src/cli/dispatch.js';

const dir = mkdtempSync(join(tmpdir(), 'fobridge-payments-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    env: { STORE_URL: `sqlite:${join(dir, 'bridge.db')}`, LOG_LEVEL: 'silent' },
    out: (s) => out.push(s),
    err: (s) => err.push(s),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('fo-bridge payments', () => {
  it('is listed in the overview, derived from the flow list', () => {
    expect(overview()).toMatch(/payments\s+Payment status/);
  });

  it('--help shows the options; anything but sync is a usage error (exit 2)', async () => {
    const help = await cli(['payments', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('fo-bridge payments sync [--company C]...');
    expect(help.out).toContain('[--full] [--dry-run]');
    expect((await cli(['payments', 'resync'])).code).toBe(2);
    expect((await cli(['payments', 'sync', '--bogus'])).code).toBe(2);
  });

  it('without an F&O connection the run fails with the reason (exit 1)', async () => {
    const res = await cli(['payments', 'sync', '--company', 'usmf', '--dry-run']);
    expect(res.code).toBe(1);
    expect(res.err).toContain('FLOW_NOT_CONFIGURED');
    expect(res.err).toContain('F&O');
  });
});
