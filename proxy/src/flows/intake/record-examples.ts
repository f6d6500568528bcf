/**
 * One example record per sync route for the OpenAPI document: the first record of the package's
 * contract fixtures (force-app/main/default/staticresources/BridgeContract_*Request.json), the JSON
 * the Apex tests send. The fixtures are not part of the proxy's build, so the records are copied
 * here; proxy/test/http/openapi-records.test.ts fails when a copy and its fixture differ.
 */

/** BridgeContract_SyncAccountsRequest.json, records[0]. */
export const ACCOUNT_EXAMPLE = {
  attributes: {
    type: 'Account',
    url: '/services/data/v62.0/sobjects/Account/001Hs00001Xa1bQIAR',
  },
  Id: '001Hs00001Xa1bQIAR',
  Name: 'Contoso Retail Seattle',
  AccountNumber: 'CR-1001',
  Phone: '+1 206 555 0100',
  BillingStreet: '123 Pike Street',
  BillingCity: 'Seattle',
  BillingState: 'WA',
  BillingPostalCode: '98101',
  BillingCountry: 'USA',
  ShippingStreet: '123 Pike Street',
  ShippingCity: 'Seattle',
  ShippingState: 'WA',
  ShippingPostalCode: '98101',
  ShippingCountry: 'USA',
  D365_Legal_Entity__c: 'usmf',
  D365_Sync_Status__c: 'Pending',
  SystemModstamp: '2026-08-21T09:14:03.000+0000',
};

/** BridgeContract_SyncContactsRequest.json, records[0]. */
export const CONTACT_EXAMPLE = {
  attributes: {
    type: 'Contact',
    url: '/services/data/v62.0/sobjects/Contact/003Hs00000Qz7mKIAR',
  },
  Id: '003Hs00000Qz7mKIAR',
  AccountId: '001Hs00001Xa1bRIAR',
  Salutation: 'Ms.',
  FirstName: 'Julia',
  LastName: 'Funk',
  Title: 'Purchasing Manager',
  Department: 'Procurement',
  Email: 'julia.funk@fabrikam.example.com',
  Phone: '+1 425 555 0142',
  MobilePhone: '+1 425 555 0143',
  MailingStreet: '1 Microsoft Way',
  MailingCity: 'Redmond',
  MailingState: 'WA',
  MailingPostalCode: '98052',
  MailingCountry: 'USA',
  D365_Sync_Status__c: 'Pending',
  SystemModstamp: '2026-08-21T09:20:11.000+0000',
  Account: {
    attributes: {
      type: 'Account',
      url: '/services/data/v62.0/sobjects/Account/001Hs00001Xa1bRIAR',
    },
    Id: '001Hs00001Xa1bRIAR',
    D365_Customer_Number__c: 'US-024',
    D365_Legal_Entity__c: 'usmf',
  },
};

/** BridgeContract_OrdersRequest.json, records[0]. */
export const OPPORTUNITY_EXAMPLE = {
  attributes: {
    type: 'Opportunity',
    url: '/services/data/v62.0/sobjects/Opportunity/006Hs00000Dd9pEIAR',
  },
  Id: '006Hs00000Dd9pEIAR',
  Name: 'Fabrikam - Speakers for new stores',
  AccountId: '001Hs00001Xa1bRIAR',
  CloseDate: '2026-08-21',
  Amount: 11454.5,
  Description: 'Two stores opening in September.',
  StageName: 'Closed Won',
  IsWon: true,
  Pricebook2Id: '01sHs00000Pb1kAIAR',
  D365_Sync_Status__c: 'Pending',
  SystemModstamp: '2026-08-21T09:31:40.000+0000',
  Account: {
    attributes: {
      type: 'Account',
      url: '/services/data/v62.0/sobjects/Account/001Hs00001Xa1bRIAR',
    },
    Id: '001Hs00001Xa1bRIAR',
    Name: 'Fabrikam Supplies',
    D365_Customer_Number__c: 'US-024',
    D365_Legal_Entity__c: 'usmf',
  },
  OpportunityLineItems: {
    totalSize: 2,
    done: true,
    records: [
      {
        attributes: {
          type: 'OpportunityLineItem',
          url: '/services/data/v62.0/sobjects/OpportunityLineItem/00kHs00000Wq3sAIAR',
        },
        Id: '00kHs00000Wq3sAIAR',
        OpportunityId: '006Hs00000Dd9pEIAR',
        Product2Id: '01tHs00000Pr0dAIAR',
        Product2: {
          attributes: {
            type: 'Product2',
            url: '/services/data/v62.0/sobjects/Product2/01tHs00000Pr0dAIAR',
          },
          Id: '01tHs00000Pr0dAIAR',
          Name: 'Mid-Range Speaker',
          ProductCode: 'SPK-MID',
          D365_Item_Number__c: 'D0001',
        },
        Quantity: 10,
        UnitPrice: 389.45,
        TotalPrice: 3894.5,
        ServiceDate: '2026-09-15',
      },
      {
        attributes: {
          type: 'OpportunityLineItem',
          url: '/services/data/v62.0/sobjects/OpportunityLineItem/00kHs00000Wq3sBIAR',
        },
        Id: '00kHs00000Wq3sBIAR',
        OpportunityId: '006Hs00000Dd9pEIAR',
        Product2Id: '01tHs00000Pr0dBIAR',
        Product2: {
          attributes: {
            type: 'Product2',
            url: '/services/data/v62.0/sobjects/Product2/01tHs00000Pr0dBIAR',
          },
          Id: '01tHs00000Pr0dBIAR',
          Name: 'Standard Speaker',
          ProductCode: 'SPK-STD',
          D365_Item_Number__c: 'D0006',
        },
        Quantity: 40,
        UnitPrice: 189,
        TotalPrice: 7560,
        ServiceDate: '2026-09-30',
      },
    ],
  },
};
