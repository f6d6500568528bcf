/**
 * scripts/setup installs only what is missing, without recommends or upgrades, quietly: run with
 * a stand-in `apt-get` on a PATH where `java` is absent, so nothing on this machine changes.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = mkdtempSync(join(tmpdir(), 'fobridge-setup-'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));

// Only the tools the script itself uses; no java, so it has something to install.
for (const tool of ['bash', 'id', 'sed', 'tail', 'mkdir', 'dirname', 'head', 'cat'])
  symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
const calls = join(bin, 'apt-calls');
/** Records its arguments, prints 50 lines of noise, and fails `install` when told to. */
function fakeAptGet(installExitCode: number) {
  writeFileSync(
    join(bin, 'apt-get'),
    `#!/usr/bin/bash\necho "$*" >> ${calls}\nfor i in $(seq 1 50); do echo "apt noise $i"; done\n` +
      `[[ $1 == install ]] && exit ${installExitCode}\nexit 0\n`,
  );
  chmodSync(join(bin, 'apt-get'), 0o755);
  symlinkSync('/usr/bin/seq', join(bin, 'seq'));
}

async function runSetup() {
  try {
    const r = await promisify(execFile)('/usr/bin/bash', ['scripts/setup'], {
      cwd: root,
      env: { PATH: bin, HOME: bin },
    });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('scripts/setup', () => {
  it('installs what is missing in one quiet step: no recommends, no upgrades, one line saying why', async () => {
    fakeAptGet(1); // fails after "installing", so the script must show the log
    const r = await runSetup();
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^scripts\/setup: installing openjdk-17-jre-headless \(Java 17 for the Apex checks\)/,
    );
    expect(r.stdout).not.toContain('apt noise');
    expect(r.stderr).toContain('apt-get failed');
    expect(r.stderr).toContain('apt noise 50'); // the log's tail, only on failure
    const [update, install] = readFileSync(calls, 'utf8').trim().split('\n');
    expect(update).toBe('update -q');
    expect(install).toBe('install -y -q --no-install-recommends --no-upgrade openjdk-17-jre-headless');
    expect(readFileSync(join(root, '.tmp/setup.log'), 'utf8')).toContain('apt noise 1');
  });
});
