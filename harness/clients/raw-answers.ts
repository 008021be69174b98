/** An interim (1xx) answer that came before the final one, with its header lines as sent. */
export interface InterimAnswer {
  readonly status: number;
  readonly headerLines: readonly string[];
}

/**
 * Takes every complete interim answer off the front of what a server sent. RFC 9110 15.2: a client
 * must accept any number of 1xx answers, with header fields, before the final one; 101 is final
 * (the connection changes protocol after it). Example: "HTTP/1.1 100 Continue\r\nServer: x\r\n\r\n
 * HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK..." -> two interim answers, rest "HTTP/1.1 200 OK...".
 * An incomplete interim head stays in `rest`: more bytes may complete it.
 */
export function skipInterimAnswers(received: string): {
  readonly interim: readonly InterimAnswer[];
  readonly rest: string;
} {
  const interim: InterimAnswer[] = [];
  let at = 0;
  for (;;) {
    const status = /^HTTP\/1\.[01] (1\d\d)(?:[ \r])/.exec(received.slice(at, at + 16))?.[1];
    if (status === undefined || status === '101') break;
    const headEnd = received.indexOf('\r\n\r\n', at);
    if (headEnd < 0) break;
    const [, ...headerLines] = received.slice(at, headEnd).split('\r\n');
    interim.push({ status: Number(status), headerLines });
    at = headEnd + 4;
  }
  return { interim, rest: received.slice(at) };
}

/** The status codes of the final answers in a connection's bytes, interim (1xx) answers left out. */
export function finalStatuses(received: string): number[] {
  return [...received.matchAll(/HTTP\/1\.[01] (\d{3})/g)]
    .map((match) => Number(match[1]))
    .filter((status) => status >= 200 || status === 101);
}

/**
 * What a client can tell of an HTTP/1.1 answer read off a raw socket up to the close: whether it
 * came whole by its own framing (Content-Length, or chunks up to the last one) or broken off.
 */
export type AnswerShape =
  | { readonly kind: 'none' }
  | { readonly kind: 'whole' | 'broken-off'; readonly status: number; readonly bodyBytes: number }
  /** No Content-Length and not chunked: the close is the end, so a cut looks whole. */
  | { readonly kind: 'close-delimited'; readonly status: number; readonly bodyBytes: number };

export function answerShape(receivedWithInterims: string): AnswerShape {
  const received = skipInterimAnswers(receivedWithInterims).rest;
  const headEnd = received.indexOf('\r\n\r\n');
  const statusMatch = /^HTTP\/1\.[01] (\d{3})/.exec(received);
  if (headEnd < 0 || !statusMatch) return { kind: 'none' };
  const status = Number(statusMatch[1]);
  const head = received.slice(0, headEnd).toLowerCase();
  const body = received.slice(headEnd + 4);
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head)?.[1];
  if (/\r\ntransfer-encoding:[^\r]*chunked/.test(head)) {
    const { complete, bytes } = readChunks(body);
    return { kind: complete ? 'whole' : 'broken-off', status, bodyBytes: bytes };
  }
  if (length !== undefined) {
    const bodyBytes = Buffer.byteLength(body, 'latin1');
    return { kind: bodyBytes >= Number(length) ? 'whole' : 'broken-off', status, bodyBytes };
  }
  return { kind: 'close-delimited', status, bodyBytes: Buffer.byteLength(body, 'latin1') };
}

// Walks chunk by chunk; complete only when the zero-size chunk and its closing CRLF are in.
function readChunks(body: string): { complete: boolean; bytes: number } {
  let at = 0;
  let bytes = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) return { complete: false, bytes };
    const size = Number.parseInt(body.slice(at, lineEnd), 16);
    if (!Number.isFinite(size)) return { complete: false, bytes };
    if (size === 0) return { complete: body.indexOf('\r\n', lineEnd + 2) >= 0, bytes };
    const chunkEnd = lineEnd + 2 + size;
    if (body.length < chunkEnd + 2)
      return { complete: false, bytes: bytes + Math.max(0, body.length - lineEnd - 2) };
    bytes += size;
    at = chunkEnd + 2;
  }
}

/** The backend fixture's echo of a request: what it received, as far as the harness reads it. */
export interface BackendEcho {
  readonly method?: string;
  readonly url?: string;
  readonly headers?: Readonly<Record<string, string | string[]>>;
  /** The header lines as they came, [name, value, ...]. */
  readonly rawHeaders?: readonly string[];
}

/** An answer's body read as the backend's echo; undefined when it is something else (the balancer's own answer). */
export function echoIn(body: string): BackendEcho | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as BackendEcho) : undefined;
  } catch {
    return undefined;
  }
}
