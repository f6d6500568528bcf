// The checks in the order they are reported. Each is loaded on demand (`--only` stays fast:
// the CLI resolver, ESLint and Code Analyzer are heavy imports).
import type { Check } from '../types.js';

export interface CheckEntry {
  name: string;
  load(): Promise<Check>;
}

export const CHECKS: CheckEntry[] = [
  { name: 'metadata-convert', load: async () => (await import('./metadata-convert.js')).metadataConvert },
  { name: 'metadata-validate', load: async () => (await import('./metadata-validate.js')).metadataValidate },
  { name: 'apex-syntax', load: async () => (await import('./apex-syntax.js')).apexSyntax },
  { name: 'apex-semantics', load: async () => (await import('./apex-semantics.js')).apexSemantics },
  { name: 'code-analyzer', load: async () => (await import('./code-analyzer.js')).codeAnalyzer },
  { name: 'lwc-eslint', load: async () => (await import('./lwc-eslint.js')).lwcEslint },
  { name: 'prettier', load: async () => (await import('./prettier.js')).prettierCheck },
];
