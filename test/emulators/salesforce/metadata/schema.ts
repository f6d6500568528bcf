import { base62 } from '../ids.js';
import { readForceApp, toCustomObject, toFieldDef } from './force-app.js';
import { standardObjects } from './standard-objects.js';
import type { ChildRelationship, FieldAccess, FieldDef, ObjectDef } from './types.js';

export interface SchemaOptions {
  forceAppDir: string;
  namespace: string;
}

/**
 * The org's schema: the built-in standard objects merged with the package metadata, plus the
 * integration user's field-level security. Lookups are case-insensitive like the real API.
 */
export class Schema {
  private readonly objects = new Map<string, ObjectDef>();
  private readonly prefixes = new Map<string, ObjectDef>();
  private readonly children = new Map<string, ChildRelationship[]>();
  private readonly fls = new Map<string, FieldAccess>();
  /** What was read from force-app, for the control API and the smoke test. */
  readonly loaded: { objects: string[]; fields: string[] } = { objects: [], fields: [] };

  constructor(options: SchemaOptions) {
    for (const def of standardObjects()) this.add(def);
    let customIndex = 0;
    let eventIndex = 0;
    for (const parsed of readForceApp(options.forceAppDir)) {
      const existing = this.objects.get(parsed.name.toLowerCase());
      if (parsed.name.endsWith('__c') || parsed.name.endsWith('__e')) {
        const isEvent = parsed.name.endsWith('__e');
        const prefix = isEvent ? `e${base62(eventIndex++, 2)}` : `a${base62(customIndex++, 2)}`;
        const def = toCustomObject(parsed, options.namespace, prefix);
        this.add(def);
        this.loaded.objects.push(def.name);
        for (const f of def.fields.values()) if (f.custom) this.loaded.fields.push(`${def.name}.${f.name}`);
      } else if (existing) {
        for (const xml of parsed.fields) {
          const f = toFieldDef(xml, options.namespace);
          existing.fields.set(f.name.toLowerCase(), f);
          this.loaded.fields.push(`${existing.name}.${f.name}`);
        }
      }
      // Custom fields on standard objects the emulator does not model (Case, Lead, …) are ignored.
    }
    this.indexChildren();
  }

  private add(def: ObjectDef): void {
    this.objects.set(def.name.toLowerCase(), def);
    this.prefixes.set(def.keyPrefix, def);
  }

  private indexChildren(): void {
    for (const def of this.objects.values()) {
      for (const f of def.fields.values()) {
        const parent = f.referenceTo[0];
        if (!parent || !f.childRelationshipName) continue;
        const list = this.children.get(parent.toLowerCase()) ?? [];
        list.push({ relationshipName: f.childRelationshipName, childObject: def.name, field: f.name });
        this.children.set(parent.toLowerCase(), list);
      }
    }
  }

  object(name: string): ObjectDef | undefined {
    return this.objects.get(name.toLowerCase());
  }

  allObjects(): ObjectDef[] {
    return [...this.objects.values()];
  }

  objectForId(id: string): ObjectDef | undefined {
    return this.prefixes.get(id.slice(0, 3));
  }

  access(objectName: string, fieldName: string): FieldAccess {
    return this.fls.get(`${objectName}.${fieldName}`.toLowerCase()) ?? 'edit';
  }

  setAccess(objectName: string, fieldName: string, access: FieldAccess): void {
    const def = this.object(objectName);
    const f = def?.fields.get(fieldName.toLowerCase());
    if (!def || !f) throw new Error(`Unknown field ${objectName}.${fieldName}`);
    this.fls.set(`${def.name}.${f.name}`.toLowerCase(), access);
  }

  resetAccess(): void {
    this.fls.clear();
  }

  /** A field as the integration user sees it: undefined when unknown or invisible (FLS none). */
  visibleField(def: ObjectDef, fieldName: string): FieldDef | undefined {
    const f = def.fields.get(fieldName.toLowerCase());
    if (!f || this.access(def.name, f.name) === 'none') return undefined;
    return f;
  }

  visibleFields(def: ObjectDef): FieldDef[] {
    return [...def.fields.values()].filter((f) => this.access(def.name, f.name) !== 'none');
  }

  /** Effective create/update permission: system permission AND field-level security. */
  canWrite(def: ObjectDef, f: FieldDef, mode: 'create' | 'update'): boolean {
    if (this.access(def.name, f.name) !== 'edit') return false;
    return mode === 'create' ? f.createable : f.updateable;
  }

  /** The lookup field behind a relationship name (`Account` → AccountId on Contact). */
  relationship(def: ObjectDef, relationshipName: string): FieldDef | undefined {
    const lower = relationshipName.toLowerCase();
    for (const f of def.fields.values()) {
      if (f.type === 'reference' && f.relationshipName?.toLowerCase() === lower) {
        return this.access(def.name, f.name) === 'none' ? undefined : f;
      }
    }
    return undefined;
  }

  childRelationships(def: ObjectDef): ChildRelationship[] {
    return this.children.get(def.name.toLowerCase()) ?? [];
  }

  childRelationship(def: ObjectDef, name: string): ChildRelationship | undefined {
    return this.childRelationships(def).find((c) => c.relationshipName.toLowerCase() === name.toLowerCase());
  }
}
