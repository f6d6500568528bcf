// Check 3: every .cls and .trigger parses with the Apex grammar (@apexdevtools/apex-parser, pure JS).
// The package's own check() prints errors but exits 0, so errors are collected with a listener.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApexErrorListener, ApexParserFactory } from '@apexdevtools/apex-parser';
import { isApex, sourceFiles } from '../project.js';
import { result, truncate, type Check, type Finding } from '../types.js';

class CollectingListener extends ApexErrorListener {
  readonly errors: { line: number; column: number; msg: string }[] = [];
  apexSyntaxError(line: number, column: number, msg: string): void {
    this.errors.push({ line, column, msg });
  }
}

/** Syntax errors of one Apex source; `column` in the result is 1-based. */
export function parseApex(
  source: string,
  isTrigger: boolean,
): { line: number; col: number; message: string }[] {
  const listener = new CollectingListener();
  const { parser } = ApexParserFactory.createLexerAndParser(source, listener);
  if (isTrigger) parser.triggerUnit();
  else parser.compilationUnit();
  // "mismatched input … expecting {hundreds of tokens}": the list is noise, keep the head.
  return listener.errors.map((e) => ({ line: e.line, col: e.column + 1, message: truncate(e.msg, 160) }));
}

export const apexSyntax: Check = {
  name: 'apex-syntax',
  description: 'every .cls/.trigger parses with the Apex grammar (@apexdevtools/apex-parser)',
  async run(ctx) {
    const files = sourceFiles(ctx.packageDirs, isApex);
    if (files.length === 0) return result([], [], ['no Apex files']);
    const errors: Finding[] = [];
    for (const file of files) {
      for (const e of parseApex(readFileSync(file, 'utf8'), file.endsWith('.trigger'))) {
        errors.push({ file: path.relative(ctx.projectDir, file), ...e });
      }
    }
    return result(errors, [], [`${files.length} Apex files parsed`]);
  },
};
