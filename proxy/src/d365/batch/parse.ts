/**
 * Parsing a `$batch` response. The server chooses its own boundaries (`batchresponse_<guid>`,
 * `changesetresponse_<guid>`), taken from the Content-Type headers. A successful changeset is a
 * nested multipart with one part per operation; a failed changeset is ONE application/http
 * part (status 500 on the wire, d365.md §3.1) whose Content-ID need not be the failed
 * operation's — it is the failure of the whole changeset.
 */
export interface InnerResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
  contentId: string | undefined;
}

export type BatchPart =
  { kind: 'response'; response: InnerResponse } | { kind: 'changeset'; responses: InnerResponse[] };

export function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]) : undefined;
}

interface RawPart {
  headers: Record<string, string>;
  body: string;
}

function splitHeaders(text: string): RawPart {
  const m = /\r?\n\r?\n/.exec(text);
  const head = m ? text.slice(0, m.index) : text;
  const body = m ? text.slice(m.index + m[0].length) : '';
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body };
}

/** The parts between `--boundary` delimiters (the preamble and epilogue dropped). */
export function splitMultipart(text: string, boundary: string): RawPart[] {
  const delimiter = new RegExp(`(?:^|\\r?\\n)--${escapeRegExp(boundary)}(--)?[ \\t]*(?:\\r?\\n|$)`, 'g');
  const parts: RawPart[] = [];
  let last: number | undefined;
  let m: RegExpExecArray | null;
  while ((m = delimiter.exec(text))) {
    if (last !== undefined) parts.push(splitHeaders(text.slice(last, m.index)));
    if (m[1] === '--') return parts;
    last = m.index + m[0].length;
  }
  if (last !== undefined && last < text.length) parts.push(splitHeaders(text.slice(last)));
  return parts;
}

function parseHttpResponse(part: RawPart): InnerResponse {
  const inner = part.body.replace(/^\s+/, '');
  const nl = inner.search(/\r?\n/);
  const statusLine = nl >= 0 ? inner.slice(0, nl) : inner;
  const m = /^HTTP\/\d(?:\.\d)?\s+(\d{3})\s*(.*)$/.exec(statusLine.trim());
  if (!m) throw new Error(`not an HTTP response line: ${statusLine.slice(0, 80)}`);
  const rest = nl >= 0 ? inner.slice(nl).replace(/^\r?\n/, '') : '';
  const { headers, body } = splitHeaders(rest);
  return {
    status: Number(m[1]),
    statusText: m[2] ?? '',
    headers,
    body: body.trim(),
    contentId: part.headers['content-id'] ?? headers['content-id'],
  };
}

export function parseBatchResponse(contentType: string | undefined, text: string): BatchPart[] {
  const boundary = boundaryOf(contentType);
  if (!boundary)
    throw new Error(`the $batch answer has no multipart boundary (Content-Type: ${contentType ?? 'none'})`);
  return splitMultipart(text, boundary).map((part): BatchPart => {
    const type = part.headers['content-type'] ?? '';
    if (/^multipart\/mixed/i.test(type)) {
      const inner = boundaryOf(type);
      if (!inner) throw new Error('a changeset answer has no boundary');
      return { kind: 'changeset', responses: splitMultipart(part.body, inner).map(parseHttpResponse) };
    }
    return { kind: 'response', response: parseHttpResponse(part) };
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
