/**
 * The request record of each sync route as the OpenAPI document describes it: the mapping's record
 * schemas (mapping/records.ts) plus the package's own fields the Apex selects (`D365SyncSelector`),
 * each field described, each record with an example (record-examples.ts).
 *
 * These schemas document; they do not guard the door. The intake checks only `Id` and
 * `SystemModstamp` per record (salesforce-records.ts) and stores every such record, so a record
 * the mapping cannot read is rejected alone when its job runs, never the whole call. That is why
 * `documentedRecord` puts the schema into the OpenAPI output and validates nothing itself.
 */
import { z } from 'zod';
import {
  AccountRecord,
  ContactRecord,
  OpportunityLineItemRecord,
  OpportunityRecord,
  ParentAccount,
  Product2,
  SalesforceId,
  SubQuery,
} from '../../mapping/records.js';
import { ACCOUNT_EXAMPLE, CONTACT_EXAMPLE, OPPORTUNITY_EXAMPLE } from './record-examples.js';

const text = z.string().nullish();
const ns = ' In a subscriber org the field carries the package namespace (`fobridge__…`).';

/** The fields every synced record carries. */
const common = {
  attributes: z
    .looseObject({ type: z.string(), url: z.string().optional() })
    .optional()
    .describe('Written by Apex JSON.serialize: the object type (checked when present) and the record URL.'),
  Id: SalesforceId.describe('Salesforce record Id (15 or 18 characters): the key of the record’s job.'),
  SystemModstamp: z
    .string()
    .describe(
      'Last change, e.g. `2026-08-21T09:14:03.000+0000`: the version of the record; an older version never overwrites a newer one.',
    ),
  D365_Sync_Status__c: text.describe(`Pending, Synced or Error; written back by the proxy.${ns}`),
};

/** `schema` with a description on the listed fields (the fields keep their types). */
function described<S extends z.ZodObject>(schema: S, descriptions: Record<string, string>): S {
  const shape = Object.fromEntries(
    Object.entries(descriptions).map(([key, description]) => {
      const field = schema.shape[key] as z.ZodType | undefined;
      if (!field) throw new Error(`no field ${key} to describe`);
      return [key, field.describe(description)];
    }),
  );
  return schema.extend(shape) as unknown as S;
}

const accountKeys = ParentAccount.extend({
  D365_Customer_Number__c: text.describe(`The F&O customer account, once the Account is synced.${ns}`),
  D365_Legal_Entity__c: text.describe(`The Account's F&O company (routed by the mapping file).${ns}`),
});

export const SyncAccountRecord = described(AccountRecord, {
  Name: 'Customer name (F&O OrganizationName).',
  BillingCountry:
    'Country name or ISO code; `BillingCountryCode` wins when state and country picklists are on.',
})
  .extend({
    ...common,
    D365_Legal_Entity__c: text.describe(
      `The F&O company the customer belongs to, e.g. \`usmf\`; routed through the mapping file's \`routing\`.${ns}`,
    ),
    D365_Customer_Number__c: text.describe(
      `The F&O customer account once created; absent on the first sync (the proxy assigns one).${ns}`,
    ),
  })
  .meta({ description: 'An Account as the package’s Apex serialises it.', example: ACCOUNT_EXAMPLE });

export const SyncContactRecord = described(ContactRecord, {
  AccountId: 'The Contact’s Account: it must be in F&O first (a contact person hangs off a customer).',
  LastName: 'Required by F&O.',
})
  .extend({
    ...common,
    D365_Contact_Person_Id__c: text.describe(`The F&O contact person, once created.${ns}`),
    Account: accountKeys.nullish().describe('The parent Account’s F&O keys, selected by the Apex.'),
  })
  .meta({ description: 'A Contact as the package’s Apex serialises it.', example: CONTACT_EXAMPLE });

const SyncLineItem = described(OpportunityLineItemRecord, {
  Quantity: 'Ordered quantity (F&O SalesQuantity); decimals beyond the mapping’s quantityDecimals reject.',
  UnitPrice: 'Sales price per unit in the Opportunity currency.',
  ServiceDate: 'Requested date of the line (YYYY-MM-DD), when set.',
}).extend({
  Product2: Product2.extend({
    D365_Item_Number__c: text.describe(`The F&O item number; when empty, the Product Code is used.${ns}`),
  })
    .nullish()
    .describe('The product: `D365_Item_Number__c`, else `ProductCode`, names the F&O item.'),
});

export const SyncOpportunityRecord = described(OpportunityRecord, {
  StageName: 'Closed Won: only won Opportunities become sales orders.',
  CloseDate: 'YYYY-MM-DD; the requested date of the order when the mapping says `closeDate`.',
  Amount: 'The Opportunity total; checked against the sum of the lines.',
})
  .extend({
    ...common,
    D365_Sales_Order_Number__c: text.describe(`The F&O sales order, once created.${ns}`),
    Account: accountKeys.nullish().describe('The Account’s F&O keys: its customer number must be set.'),
    OpportunityLineItems: SubQuery(SyncLineItem)
      .nullish()
      .describe('The products, as Apex serialises a sub-query: `{ totalSize, done, records }`.'),
  })
  .meta({
    description: 'A Closed Won Opportunity with its line items as the package’s Apex serialises it.',
    example: OPPORTUNITY_EXAMPLE,
  });

/**
 * A schema that accepts any value but appears in the OpenAPI document as `schema` (its JSON Schema
 * becomes the metadata, which the document generator copies onto the output).
 */
export function documentedRecord(schema: z.ZodType): z.ZodUnknown {
  const { $schema: _ignored, ...jsonSchema } = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'any',
    override: ({ jsonSchema }) => {
      // OpenAPI 3.0 reads `nullable` only beside `type`: a nullable union says it in each branch.
      if (jsonSchema.nullable && jsonSchema.anyOf && !jsonSchema.type) {
        jsonSchema.anyOf = jsonSchema.anyOf.map((branch) => ({ ...branch, nullable: true }));
        delete jsonSchema.nullable;
      }
    },
  }) as Record<string, unknown>;
  return z.unknown().meta(jsonSchema);
}
