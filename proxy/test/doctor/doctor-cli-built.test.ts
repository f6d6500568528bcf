/**
 * The built `fo-bridge doctor` as a process, with Entra, F&O and Salesforce emulated over real
 * HTTP (Entra and F&O over https, as in production): exit 0 when every check passes, 1 when one
 * fails (named, with the fix), 2 when it cannot run.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtProxy } from '../../../test/support/built-proxy.js';
import type { DoctorReport } from '../../src/flows/doctor/index.js';
import { startHarness, type Harness } from '../flows/sync-harness.js';

let cli: string;
let h: Harness;
beforeAll(async () => {
  cli = `${await builtProxy()}/cli/main.js`;
  h = await startHarness({ d365: { httpsPort: 0 } });
}, 120_000);
afterAll(async () => h?.close());

async function doctor(
  argv: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [cli, 'doctor', ...argv], {
      cwd: h.dir,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '',
        ...env,
      },
    });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const overHttps = () => h.env({ D365_URL: h.d365.httpsUrl!, ENTRA_AUTHORITY_HOST: h.d365.httpsUrl! });

describe('fo-bridge doctor (built)', () => {
  it('exits 0 on the sandbox composition', async () => {
    const r = await doctor([], overHttps());
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/all checks pass \(\d+ ok, 0 failed, \d+ info\)$/m);
    expect(r.code).toBe(0);
  }, 60_000);

  it('exits 1 naming the field whose access is missing, with the fix', async () => {
    h.sf.control.setFieldAccess('Opportunity', 'D365_Sales_Order_Number__c', 'none');
    try {
      const r = await doctor(['--json'], overHttps());
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as DoctorReport;
      expect(report.checks.filter((c) => c.status === 'fail')).toEqual([
        expect.objectContaining({
          id: 'salesforce.fls.Opportunity',
          verdict: 'Opportunity.D365_Sales_Order_Number__c missing or not readable',
          fix: expect.stringContaining('Opportunity.D365_Sales_Order_Number__c'),
        }),
      ]);
    } finally {
      h.sf.control.resetFieldAccess();
    }
  }, 60_000);

  it('exits 1 when F&O and Salesforce are not configured at all', async () => {
    const r = await doctor([], { STORE_URL: `sqlite:${h.dir}/alone.db`, LOG_LEVEL: 'silent' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL  F&O connection is not configured');
    expect(r.stdout).toContain('fix: set D365_URL, D365_TENANT_ID, D365_CLIENT_ID, D365_CLIENT_SECRET');
  }, 60_000);

  it('exits 2 when it cannot run (a usage error)', async () => {
    const r = await doctor(['--bogus'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage: fo-bridge doctor [--json]');
  });
});
