// Check 7: Prettier formatting of Apex (prettier-plugin-apex), LWC JavaScript and templates,
// with the repo's .prettierrc.json. Prettier gives no position for unformatted files, so the
// finding points at the first line that differs from Prettier's output.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import * as apexPlugin from 'prettier-plugin-apex';
import { sourceFiles } from '../project.js';
import { result, truncate, type Check, type Finding } from '../types.js';

const FORMATTED = /\.(cls|trigger|js|html)$/;

function firstDifferentLine(a: string, b: string): number {
  const left = a.split('\n');
  const right = b.split('\n');
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) if (left[i] !== right[i]) return i + 1;
  return 1;
}

export const prettierCheck: Check = {
  name: 'prettier',
  description: 'prettier --check (with prettier-plugin-apex) over force-app/**/*.{cls,trigger,js,html}',
  async run(ctx) {
    const files = sourceFiles(ctx.packageDirs, (f) => FORMATTED.test(f));
    if (files.length === 0) return result([], [], ['no files to format']);
    const configFile = path.join(ctx.repoRoot, '.prettierrc.json');
    const ignorePath = path.join(ctx.repoRoot, '.prettierignore');
    const errors: Finding[] = [];
    let checked = 0;
    for (const file of files) {
      const relative = path.relative(ctx.projectDir, file);
      // Resolve options as if the file sat at the same place in the repo, so overrides such as
      // `**/lwc/**/*.html` → lwc parser apply to temp projects as well.
      const asInRepo = path.join(ctx.repoRoot, relative);
      if ((await prettier.getFileInfo(asInRepo, { ignorePath })).ignored) continue;
      const options = (await prettier.resolveConfig(asInRepo, { config: configFile })) ?? {};
      const source = readFileSync(file, 'utf8');
      // Plugins named in the config resolve from the cwd; hand Prettier the loaded module instead.
      const plugins = [apexPlugin];
      checked += 1;
      try {
        const formatted = await prettier.format(source, { ...options, plugins, filepath: file });
        if (formatted !== source) {
          errors.push({
            file: relative,
            line: firstDifferentLine(source, formatted),
            col: 1,
            message: 'not formatted with Prettier (run: npx prettier --write <file>)',
          });
        }
      } catch (error) {
        const loc = (error as { loc?: { start?: { line?: number; column?: number } } }).loc?.start;
        errors.push({
          file: relative,
          line: loc?.line ?? 0,
          col: loc?.column ?? 0,
          message: `Prettier cannot parse it: ${truncate((error as Error).message.split('\n')[0] ?? '')}`,
        });
      }
    }
    return result(errors, [], [`${checked} files checked`]);
  },
};
