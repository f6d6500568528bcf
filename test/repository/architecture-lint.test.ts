/**
 * The inward rule is enforced by ESLint (eslint.config.js: import/no-restricted-paths and
 * import/no-cycle over proxy/src). This proves the rules bite: planted violations — a flow
 * importing from http/, mapping importing a flow, two modules importing each other — fail,
 * and the real tree passes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
/** The architecture block of eslint.config.js (loaded by URL: the config is plain JavaScript). */
const { architecture } = (await import(new URL('../../eslint.config.js', import.meta.url).href)) as {
  architecture: Linter.Config & { rules: Linter.RulesRecord };
};
const eslint = new ESLint({ cwd: ROOT });
const ruleIds = (results: ESLint.LintResult[]) =>
  results.flatMap((r) => r.messages.map((m) => `${relative(ROOT, r.filePath)}: ${m.ruleId ?? m.message}`));

async function lint(filePath: string, code: string): Promise<string[]> {
  return ruleIds(await eslint.lintText(code, { filePath: join(ROOT, filePath) }));
}

describe('the inward rule', () => {
  it('refuses an import from http/ into flows/, d365/, salesforce/, jobs/ or mapping/', async () => {
    for (const part of ['flows', 'd365', 'salesforce', 'jobs', 'mapping']) {
      const messages = await lint(
        `proxy/src/${part}/planted.ts`,
        "import { ProblemError } from '../http/problem.js';\nexport const planted = ProblemError;\n",
      );
      expect(messages, part).toContain(`proxy/src/${part}/planted.ts: import/no-restricted-paths`);
    }
  });

  it('refuses an import of the composition root or the CLI from below', async () => {
    for (const target of ['../../runtime.js', '../../app.js', '../../cli/dispatch.js']) {
      const messages = await lint(
        'proxy/src/flows/inventory/planted.ts',
        `import * as planted from '${target}';\nexport { planted };\n`,
      );
      expect(messages, target).toContain('proxy/src/flows/inventory/planted.ts: import/no-restricted-paths');
    }
  });

  it('keeps mapping/ to itself', async () => {
    const messages = await lint(
      'proxy/src/mapping/planted.ts',
      "import { SYNC_FLOWS } from '../flows/sync-flows.js';\nimport { z } from 'zod';\nimport { normaliseRoutingValue } from './bridge-config.js';\nexport const planted = [SYNC_FLOWS, z, normaliseRoutingValue];\n",
    );
    expect(messages).toEqual(['proxy/src/mapping/planted.ts: import/no-restricted-paths']);
  });

  it('allows the inward direction', async () => {
    const messages = await lint(
      'proxy/src/http/routes/planted.ts',
      "import { createJobQueue } from '../../jobs/queue.js';\nexport const planted = createJobQueue;\n",
    );
    expect(messages).toEqual([]);
  });

  describe('cycles', () => {
    let dir: string;
    beforeAll(() => {
      // Two real files (the cycle rule follows imports on disk), outside the repository so no
      // other test sees them; linted with the repository's own cycle rule.
      dir = mkdtempSync(join(tmpdir(), 'fobridge-lint-probe-'));
      writeFileSync(join(dir, 'a.ts'), "import { b } from './b.js';\nexport const a = () => b;\n");
      writeFileSync(join(dir, 'b.ts'), "import { a } from './a.js';\nexport const b = () => a;\n");
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('refuses two modules that import each other', async () => {
      const probe = new ESLint({
        cwd: dir,
        overrideConfigFile: true,
        overrideConfig: [
          { ...tseslint.configs.base, files: ['**/*.ts'] },
          {
            ...architecture,
            files: ['**/*.ts'],
            rules: { 'import/no-cycle': architecture.rules['import/no-cycle'] },
          },
        ],
      });
      const results = await probe.lintFiles([join(dir, 'a.ts'), join(dir, 'b.ts')]);
      const messages = results.flatMap((r) => r.messages.map((m) => m.ruleId ?? m.message));
      expect(messages).toEqual(['import/no-cycle', 'import/no-cycle']);
    });
  });

  it('holds for the proxy as it is', async () => {
    const results = await eslint.lintFiles(['proxy/src']);
    const architecture = ruleIds(results).filter((m) => /import\/no-(restricted-paths|cycle)$/.test(m));
    expect(architecture).toEqual([]);
  });
});
