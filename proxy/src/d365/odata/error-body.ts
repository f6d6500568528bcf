/**
 * Reading F&O's error documents (d365.md §3):
 *   {"error":{"code":"","message":"An error has occurred.","innererror":{"message":"Write failed for
 *    table row of type 'CustCustomerV3Entity'. Infolog: Warning: …; Warning: …","type":"…AxODataWriteException"}}}
 * `error.message` is generic; the useful text is `innererror.message`. Non-OData bodies (gateway
 * HTML, the 401 `{"Message":"Authentication failed."}` shape) are handled too.
 */
export interface ParsedErrorBody {
  /** The most useful single message. */
  message: string | undefined;
  /** Infolog lines split out of `innererror.message`. */
  infolog: string[];
  /** `innererror.type`, e.g. `…AxODataWriteException`. */
  type: string | undefined;
}

export const WRITE_EXCEPTION_TYPE =
  'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException';

export function parseErrorBody(body: unknown): ParsedErrorBody {
  const doc = typeof body === 'string' ? tryJson(body) : body;
  if (!doc || typeof doc !== 'object') {
    const text = typeof body === 'string' ? body.trim().slice(0, 500) : undefined;
    return { message: text || undefined, infolog: [], type: undefined };
  }
  const o = doc as Record<string, any>;
  const error = o.error && typeof o.error === 'object' ? (o.error as Record<string, any>) : undefined;
  const inner = error?.innererror && typeof error.innererror === 'object' ? error.innererror : undefined;
  const innerMessage = typeof inner?.message === 'string' ? (inner.message as string) : undefined;
  const outerMessage =
    typeof error?.message === 'string'
      ? (error.message as string)
      : typeof o.Message === 'string'
        ? (o.Message as string)
        : typeof o.message === 'string'
          ? (o.message as string)
          : undefined;
  const message = innerMessage ?? outerMessage;
  return {
    message,
    infolog: innerMessage ? infologLines(innerMessage) : [],
    type: typeof inner?.type === 'string' ? inner.type : undefined,
  };
}

/**
 * `Write failed for table row of type 'X'. Infolog: Warning: a.; Error: b..` → ['Warning: a.', 'Error: b.'].
 * Without the `Infolog:` marker (the update-conflict message) the text after the first sentence
 * is the single line. The trailing double period F&O writes is reduced to one.
 */
export function infologLines(innerMessage: string): string[] {
  const marker = innerMessage.indexOf('Infolog:');
  let rest: string;
  if (marker >= 0) rest = innerMessage.slice(marker + 'Infolog:'.length);
  else {
    const m = /^Write failed for table row of type '[^']*'\.\s*/.exec(innerMessage);
    if (!m) return [];
    rest = innerMessage.slice(m[0].length);
  }
  return rest
    .split(/;\s+(?=(?:Info|Warning|Error):)/)
    .map((line) => line.trim().replace(/\.\.$/, '.'))
    .filter((line) => line.length > 0);
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
