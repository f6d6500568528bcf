import { describe, it, expect } from 'vitest';
import { infologLines, parseErrorBody } from '../../src/d365/odata/error-body.js';

describe('F&O error bodies', () => {
  it('splits Infolog lines out of innererror.message (real CustomersV3 body)', () => {
    const body = {
      error: {
        code: '',
        message: 'An error has occurred.',
        innererror: {
          message:
            "Write failed for table row of type 'CustCustomerV3Entity'. Infolog: Warning: The value 'Local' in field 'Customer group' is not found in the related table 'Customer groups'.; Warning: validateField failed on field 'CustCustomerV3Entity.CustomerGroupId'.",
          type: 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException',
          stacktrace: '   at …',
        },
      },
    };
    const parsed = parseErrorBody(JSON.stringify(body));
    expect(parsed.infolog).toEqual([
      "Warning: The value 'Local' in field 'Customer group' is not found in the related table 'Customer groups'.",
      "Warning: validateField failed on field 'CustCustomerV3Entity.CustomerGroupId'.",
    ]);
    expect(parsed.message).toContain('Write failed');
  });

  it('reduces the trailing double period and keeps multi-line entries whole', () => {
    expect(
      infologLines(
        "Write failed for table row of type 'CustCustomerGroupEntity'. Infolog: Info: Cannot create a record in Customer groups (CustGroup). Customer group: Batch2, Batch 2 Test group T1.\nThe record already exists..",
      ),
    ).toEqual([
      'Info: Cannot create a record in Customer groups (CustGroup). Customer group: Batch2, Batch 2 Test group T1.\nThe record already exists.',
    ]);
  });

  it('handles the update-conflict message without an Infolog marker', () => {
    expect(
      infologLines(
        "Write failed for table row of type 'VendInvoiceJournalLineEntity'. Cannot edit a record in Ledger journal table (LedgerJournalTable). An update conflict occurred.",
      ),
    ).toEqual([
      'Cannot edit a record in Ledger journal table (LedgerJournalTable). An update conflict occurred.',
    ]);
  });

  it('reads the 401 shape and plain text', () => {
    expect(parseErrorBody('{"Message":"Authentication failed.","StackTrace":null}').message).toBe(
      'Authentication failed.',
    );
    expect(parseErrorBody('<html>Bad gateway</html>').message).toBe('<html>Bad gateway</html>');
  });
});
