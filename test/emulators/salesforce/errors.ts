/**
 * Salesforce REST errors as the real API sends them: an HTTP status plus a JSON array of
 * `{ message, errorCode, fields }` (REST API Developer Guide, "Status Codes and Error Responses"). Thrown anywhere in the emulator; the
 * server's error handler turns it into the wire body.
 */
export interface SfErrorBody {
  message: string;
  errorCode: string;
  fields?: string[];
}

export class SfError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly fields: string[];

  constructor(status: number, errorCode: string, message: string, fields: string[] = []) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
    this.fields = fields;
  }

  toBody(): SfErrorBody[] {
    return [{ message: this.message, errorCode: this.errorCode, fields: this.fields }];
  }
}

export const sessionInvalid = (): SfError =>
  new SfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');

export const notFound = (message = 'The requested resource does not exist'): SfError =>
  new SfError(404, 'NOT_FOUND', message);

export const noSuchColumn = (objectName: string, field: string): SfError =>
  new SfError(400, 'INVALID_FIELD', `No such column '${field}' on sobject of type ${objectName}`);
