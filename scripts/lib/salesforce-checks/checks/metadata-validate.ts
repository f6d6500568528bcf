// Check 2: what `sf project convert source` silently accepts: malformed XML, a
// .cls/.trigger without -meta.xml (dropped from the package), an LWC bundle without js-meta.xml,
// a custom object folder without its .object-meta.xml, a component defined twice, a wrong root tag.
// Built on the CLI's own resolver (@salesforce/source-deploy-retrieve) plus fast-xml-parser.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ForceIgnore, MetadataResolver, type SourceComponent } from '@salesforce/source-deploy-retrieve';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { isLwcTestOrTooling, listFiles } from '../project.js';
import { result, truncate, type Check, type Finding } from '../types.js';

/** Folders whose name marks a custom object-like type that must have `<Folder>.object-meta.xml`. */
const CUSTOM_OBJECT_FOLDER = /^[A-Za-z][A-Za-z0-9_]*__(c|e|mdt|b|x)$/;

function rootElement(xml: string): string | undefined {
  const parsed = new XMLParser({ ignoreDeclaration: true, ignoreAttributes: true }).parse(xml) as Record<
    string,
    unknown
  >;
  return Object.keys(parsed).find((k) => !k.startsWith('?') && k !== '#comment');
}

/** Every file a component owns: its meta file, its content (file, or every file of a bundle), its children. */
function claimedFiles(component: SourceComponent, out: Set<string>): void {
  if (component.xml) out.add(component.xml);
  if (component.content) {
    if (statSync(component.content).isDirectory()) for (const f of listFiles(component.content)) out.add(f);
    else out.add(component.content);
  }
  for (const child of component.getChildren()) claimedFiles(child, out);
}

function allComponents(components: SourceComponent[]): SourceComponent[] {
  return components.flatMap((c) => [c, ...allComponents(c.getChildren())]);
}

export const metadataValidate: Check = {
  name: 'metadata-validate',
  description:
    'strict XML, every file part of a component (no missing -meta.xml), bundles with their meta file, no duplicates, root tag = type, object folders with their object file',
  async run(ctx) {
    const errors: Finding[] = [];
    const rel = (f: string): string => path.relative(ctx.projectDir, f);
    const seen: { key: string; file: string }[] = [];
    let total = 0;

    for (const packageDir of ctx.packageDirs) {
      if (!existsSync(packageDir)) {
        errors.push({
          file: 'sfdx-project.json',
          line: 0,
          col: 0,
          message: `package directory ${rel(packageDir)} does not exist`,
        });
        continue;
      }
      const forceIgnore = ForceIgnore.findAndCreate(packageDir);
      const files = listFiles(packageDir).filter((f) => !forceIgnore.denies(f) && !isLwcTestOrTooling(f));
      total += files.length;

      // 1. Strict XML: convert garbles unclosed or mismatched tags without a word.
      const badXml = new Set<string>();
      for (const file of files.filter((f) => f.endsWith('.xml'))) {
        const verdict = XMLValidator.validate(readFileSync(file, 'utf8'));
        if (verdict !== true) {
          badXml.add(file);
          const { line, col, msg } = verdict.err;
          errors.push({ file: rel(file), line, col, message: `malformed XML: ${truncate(msg)}` });
        }
      }

      let components: SourceComponent[];
      try {
        components = new MetadataResolver().getComponentsFromPath(packageDir);
      } catch (error) {
        errors.push({
          file: rel(packageDir),
          line: 0,
          col: 0,
          message: truncate(String((error as Error).message ?? error), 300),
        });
        continue;
      }
      const everyComponent = allComponents(components);

      // 2. Every file belongs to a component; otherwise the CLI drops it from the package.
      const claimed = new Set<string>();
      for (const component of components) claimedFiles(component, claimed);
      for (const file of files.filter((f) => !claimed.has(f))) {
        const hint =
          file.endsWith('.cls') || file.endsWith('.trigger')
            ? `missing ${path.basename(file)}-meta.xml`
            : 'missing -meta.xml or unknown metadata type';
        errors.push({
          file: rel(file),
          line: 0,
          col: 0,
          message: `not part of any metadata component (${hint}); it would not be deployed`,
        });
      }

      for (const component of everyComponent) {
        // 3. A bundle (LWC, Aura, static resource…) whose meta file is missing.
        if (component.content && !component.xml) {
          errors.push({
            file: rel(component.content),
            line: 0,
            col: 0,
            message: `${component.type.name} ${component.fullName} has no meta file (e.g. ${component.name}.js-meta.xml for an LWC)`,
          });
        }
        // 4. Root element must be the type name (<CustomField> for a field, <ApexClass> for a class meta).
        if (component.xml && !badXml.has(component.xml) && component.xml.endsWith('.xml')) {
          const root = rootElement(readFileSync(component.xml, 'utf8'));
          if (root !== component.type.name) {
            errors.push({
              file: rel(component.xml),
              line: 1,
              col: 1,
              message: `root element <${root ?? '?'}> should be <${component.type.name}>`,
            });
          }
        }
      }

      // 5. Objects: a field folder with no object file deploys fields onto an object that does not exist.
      for (const file of files) {
        const parts = path.relative(packageDir, file).split(path.sep);
        const at = parts.indexOf('objects');
        const objectName = at >= 0 ? parts[at + 1] : undefined;
        if (!objectName || !CUSTOM_OBJECT_FOLDER.test(objectName) || parts.length <= at + 2) continue;
        const objectFile = path.join(packageDir, ...parts.slice(0, at + 2), `${objectName}.object-meta.xml`);
        const key = `object:${objectFile}`;
        if (!existsSync(objectFile) && !claimed.has(key)) {
          claimed.add(key);
          errors.push({
            file: rel(path.dirname(objectFile)),
            line: 0,
            col: 0,
            message: `custom object folder has no ${objectName}.object-meta.xml`,
          });
        }
      }
      // duplicates are checked across all package directories below
      for (const c of everyComponent)
        seen.push({ key: `${c.type.name}:${c.fullName}`, file: c.xml ?? c.content ?? '' });
    }

    // 6. The same type:fullName twice (e.g. a class copied into two folders): convert keeps one silently.
    const byKey = new Map<string, string[]>();
    for (const { key, file } of seen) byKey.set(key, [...(byKey.get(key) ?? []), file]);
    for (const [key, filesOfKey] of byKey) {
      if (filesOfKey.length < 2) continue;
      for (const file of filesOfKey.slice(1)) {
        errors.push({
          file: rel(file),
          line: 0,
          col: 0,
          message: `duplicate component ${key} (also ${rel(filesOfKey[0]!)})`,
        });
      }
    }
    return result(errors, [], [`${total} source files`]);
  },
};
