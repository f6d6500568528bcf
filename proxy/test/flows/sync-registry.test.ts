/**
 * The flow registry and the package's Apex say the same thing: `D365SyncSelector` selects exactly
 * the registry's fields (in any order) and sub-queries (same fields, same ORDER BY), the pending
 * sweep asks Salesforce for the same, and `D365SyncFields` names the same synced fields and paths.
 * The Apex is read with the Apex grammar (@apexdevtools/apex-parser), not with regular expressions.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ApexErrorListener,
  ApexParserFactory,
  FieldDeclarationContext,
  MapCreatorRestPairContext,
  MethodDeclarationContext,
  QueryContext,
  SubQueryContext,
  type FieldOrderListContext,
  type OrderByClauseContext,
} from '@apexdevtools/apex-parser';
import { describe, expect, it } from 'vitest';
import { sweepQuery } from '../../src/flows/sweep/pending-sweep.js';
import { selectedFields, type ChildQuery } from '../../src/flows/sync/flow.js';
import { SALESFORCE_TO_FNO } from '../../src/flows/sync/registry.js';

const CLASSES = path.resolve(import.meta.dirname, '../../../force-app/main/default/classes/sync');

interface Node {
  children?: Node[] | null;
  getText(): string;
}

class Fail extends ApexErrorListener {
  apexSyntaxError(line: number, column: number, msg: string): void {
    throw new Error(`Apex syntax error at ${line}:${column}: ${msg}`);
  }
}

function parse(source: string): Node {
  const { parser } = ApexParserFactory.createLexerAndParser(source, new Fail());
  return parser.compilationUnit() as unknown as Node;
}

/** Every node below `node` (depth first) that is an instance of `type`. */
function all<T>(node: Node, type: abstract new (...args: never[]) => T): T[] {
  const out: T[] = [];
  const walk = (n: Node) => {
    if (n instanceof type) out.push(n as T);
    for (const c of n.children ?? []) walk(c);
  };
  walk(node);
  return out;
}

const orderBy = (clause: OrderByClauseContext | null): string[] =>
  clause ? (clause.fieldOrderList() as FieldOrderListContext).fieldOrder_list().map((f) => f.getText()) : [];

interface Select {
  /** Plain fields, sorted: their order in a SELECT means nothing. */
  fields: string[];
  children: ChildQuery[];
}

/** A SELECT's object, plain fields and sub-queries. */
function selectOf(query: QueryContext): Select & { from: string } {
  const fields: string[] = [];
  const children: ChildQuery[] = [];
  for (const entry of query.selectList().selectEntry_list()) {
    const sub = entry.subQuery();
    if (sub) children.push(childOf(sub));
    else fields.push(entry.getText());
  }
  return { from: query.fromNameList().getText(), fields: fields.sort(), children };
}

function childOf(sub: SubQueryContext): ChildQuery {
  return {
    relationship: sub.fromNameList().getText(),
    fields: sub
      .subFieldList()
      .subFieldEntry_list()
      .map((e) => e.getText()),
    orderBy: orderBy(sub.orderByClause()),
  };
}

/** The queries of `D365SyncSelector`, by SObject. */
function selectorQueries(): Map<string, Select> {
  const tree = parse(readFileSync(path.join(CLASSES, 'D365SyncSelector.cls'), 'utf8'));
  const out = new Map<string, Select>();
  for (const method of all(tree, MethodDeclarationContext)) {
    for (const q of all(method as unknown as Node, QueryContext)) {
      const { from, fields, children } = selectOf(q);
      if (out.has(from)) throw new Error(`D365SyncSelector queries ${from} twice`);
      out.set(from, { fields, children });
    }
  }
  return out;
}

/** A `Map<SObjectType, …>` constant of `D365SyncFields` as SObject → the text of its value. */
function fieldsConstant(name: string): Map<string, string> {
  const tree = parse(readFileSync(path.join(CLASSES, 'D365SyncFields.cls'), 'utf8'));
  const field = all(tree, FieldDeclarationContext).find(
    (f) => f.variableDeclarators().variableDeclarator(0)?.id().getText() === name,
  );
  if (!field) throw new Error(`D365SyncFields has no ${name}`);
  const out = new Map<string, string>();
  for (const pair of all(field as unknown as Node, MapCreatorRestPairContext)) {
    const [key, value] = pair.expression_list();
    out.set(key!.getText().replace(/\.SObjectType$/, ''), value!.getText());
  }
  return out;
}

/** `newList<SObjectField>{Account.Name,Account.Phone}` → `['Name', 'Phone']`. */
function fieldList(text: string, sobject: string): string[] {
  const inner = /\{(.*)\}$/.exec(text)?.[1] ?? '';
  return inner
    .split(',')
    .filter(Boolean)
    .map((f) => f.replace(new RegExp(`^${sobject}\\.`), ''));
}

describe('flow registry ⇄ the package Apex', () => {
  const queries = selectorQueries();
  const synced = fieldsConstant('SYNCED_FIELDS');
  const paths = fieldsConstant('SYNC_PATH');

  it('declares exactly the objects the package syncs', () => {
    const objects = SALESFORCE_TO_FNO.map((f) => f.sobject).sort();
    expect([...queries.keys()].sort()).toEqual(objects);
    expect([...synced.keys()].sort()).toEqual(objects);
    expect([...paths.keys()].sort()).toEqual(objects);
  });

  for (const flow of SALESFORCE_TO_FNO) {
    describe(flow.flow, () => {
      const fields = selectedFields(flow.select);

      it('D365SyncSelector selects the registry fields and sub-queries', () => {
        expect(queries.get(flow.sobject)).toEqual({
          fields: [...fields].sort(),
          children: flow.select.children.map((c) => ({
            ...c,
            fields: [...c.fields],
            orderBy: [...c.orderBy],
          })),
        });
      });

      it('D365SyncFields names the registry synced fields and path', () => {
        expect(fieldList(synced.get(flow.sobject) ?? '', flow.sobject)).toEqual([
          ...flow.select.syncedFields,
        ]);
        expect(paths.get(flow.sobject)).toBe(`'${flow.path}'`);
      });

      it('selects each field once, the key field, status and version among them', () => {
        expect(new Set(fields).size).toBe(fields.length);
        expect(fields).toEqual(
          expect.arrayContaining([flow.keyField, 'D365_Sync_Status__c', 'SystemModstamp']),
        );
      });

      it('selects the routing field its legal-entity rule reads', () => {
        // The default routing source; a parent-routed record reads it through its Account.
        const routing = flow.legalEntity === 'own' ? 'D365_Legal_Entity__c' : 'Account.D365_Legal_Entity__c';
        expect(fields).toContain(routing);
      });

      it('the pending sweep selects what the selector selects', () => {
        const tree = parse(
          `public class Sweep { static void q() { List<SObject> r = [${sweepQuery(flow, '2026-01-01T00:00:00Z', 10)}]; } }`,
        );
        const [q] = all(tree, QueryContext);
        const { from, ...select } = selectOf(q!);
        expect(from).toBe(flow.sobject);
        expect(select).toEqual(queries.get(flow.sobject));
      });
    });
  }
});
