/**
 * F&O error bodies (reference §3). Write failures: `error.code` is "", `error.message` the generic
 * "An error has occurred.", the Infolog text in `innererror.message`, type AxODataWriteException.
 * Non-write errors (bad query, unknown segment) use the OData library's plain `{error:{code:"",message}}`
 * shape — their exact wording is [INF] (OData WebApi messages), not seen on the wire.
 */

export interface ODataErrorBody {
  error: {
    code: string;
    message: string;
    innererror?: { message: string; type: string; stacktrace: string };
  };
}

export class ODataError extends Error {
  constructor(
    readonly status: number,
    readonly body: ODataErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.error.innererror?.message ?? body.error.message);
  }
}

const WRITE_EXCEPTION = 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException';
const CREATE_STACK =
  '   at Microsoft.Dynamics.Platform.Integration.Services.OData.Update.UpdateProcessor.CreateEntity_Save(ChangeOperationContext context, ChangeInfo changeInfo)\r\n' +
  '   at Microsoft.Dynamics.Platform.Integration.Services.OData.Update.UpdateProcessor.CreateEntity(ChangeOperationContext context, ChangeInfo changeInfo)\r\n' +
  '   at Microsoft.Dynamics.Platform.Integration.Services.OData.Update.ChangeInfo.ExecuteActionsInCompanyContext(IEnumerable`1 actionList, ChangeOperationContext operationContext)';
const UPDATE_STACK =
  '   at Microsoft.Dynamics.Platform.Integration.Services.OData.Update.UpdateProcessor.UpdateEntity_Save(ChangeOperationContext context, ChangeInfo changeInfo)\r\n' +
  '   at Microsoft.Dynamics.Platform.Integration.Services.OData.Update.ChangeInfo.ExecuteActionsInCompanyContext(IEnumerable`1 actionList, ChangeOperationContext operationContext)';

/** Infolog line as F&O prefixes it. */
export type InfologLine = `${'Info' | 'Warning' | 'Error'}: ${string}`;

/** A business validation failure: HTTP 400 stand-alone, 500 inside a $batch changeset. */
export class WriteError extends ODataError {
  constructor(
    readonly aotName: string,
    readonly infolog: readonly InfologLine[],
    operation: 'create' | 'update' | 'delete' = 'create',
    rawMessage?: string,
  ) {
    const message =
      rawMessage ??
      `Write failed for table row of type '${aotName}'. Infolog: ${infolog.map((l) => `${l}.`).join('; ')}`;
    super(400, {
      error: {
        code: '',
        message: 'An error has occurred.',
        innererror: {
          message,
          type: WRITE_EXCEPTION,
          stacktrace: operation === 'create' ? CREATE_STACK : UPDATE_STACK,
        },
      },
    });
  }
}

export function plainError(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): ODataError {
  return new ODataError(status, { error: { code: '', message } }, headers);
}

export function notFoundSegment(segment: string): ODataError {
  return plainError(404, `Resource not found for the segment '${segment}'.`);
}

export function invalidQuery(detail: string): ODataError {
  return plainError(400, `The query specified in the URI is not valid. ${detail}`);
}

/** Writing a property F&O does not have (OData reader message, wrapped like other write failures). */
export function unknownProperty(property: string, typeName: string): ODataError {
  return new ODataError(400, {
    error: {
      code: '',
      message: 'An error has occurred.',
      innererror: {
        message: `The property '${property}' does not exist on type 'Microsoft.Dynamics.DataEntities.${typeName}'. Make sure to only use property names that are defined by the type.`,
        type: 'Microsoft.OData.ODataException',
        stacktrace:
          '   at Microsoft.OData.JsonLight.ODataJsonLightResourceDeserializer.ReadUndeclaredProperty(IODataJsonLightReaderResourceState resourceState, String propertyName, Boolean propertyWithValue)',
      },
    },
  });
}

export function badValue(message: string): ODataError {
  return new ODataError(400, {
    error: {
      code: '',
      message: 'An error has occurred.',
      innererror: {
        message,
        type: 'Microsoft.OData.ODataException',
        stacktrace:
          '   at Microsoft.OData.ODataPayloadValueConverter.ConvertFromPayloadValue(Object value, IEdmTypeReference edmTypeReference)',
      },
    },
  });
}
