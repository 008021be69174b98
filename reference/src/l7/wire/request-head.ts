import { blankLine, connectionOptions, readFields } from './syntax.ts';

/**
 * A request head read whole, in the narrow form the fast path proxies itself: HTTP/1.1, GET or HEAD,
 * origin-form target, no body, and a Connection header (if any) that says only keep-alive or close.
 */
export interface PlainRequestHead {
  readonly method: 'GET' | 'HEAD';
  readonly target: string;
  /** Flat [name, value, ...] as sent, values without surrounding whitespace (latin1 bytes kept). */
  readonly rawHeaders: string[];
  /** Bytes the head takes, its blank line included. */
  readonly length: number;
  /** The client asked for the connection to end after this answer (Connection: close). */
  readonly closeAfter: boolean;
}

/**
 * What the start of a client's bytes holds: a plain request head, a head not yet whole, or
 * anything else (another method, a body, an upgrade, a malformed or oversized head), which
 * node's HTTP server is to handle.
 */
export type HeadReading =
  | { readonly kind: 'plain'; readonly head: PlainRequestHead }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'other' };

const incomplete: HeadReading = { kind: 'incomplete' };
const other: HeadReading = { kind: 'other' };

// RFC 9112 3: method SP origin-form SP version, the target visible ASCII only.
const requestLine = /^(GET|HEAD) (\/[!-~]*) HTTP\/1\.1$/;

// Headers that make a request something else than a plain GET: a body, 100-continue, an upgrade.
const notPlain = new Set(['content-length', 'transfer-encoding', 'expect', 'upgrade']);

/**
 * Reads the request head at the start of `bytes`. A head that would pass `maxHeadBytes` is `other`,
 * so node's parser answers it (431) as for any client.
 */
export function readRequestHead(bytes: Buffer, maxHeadBytes: number): HeadReading {
  const end = bytes.indexOf(blankLine);
  if (end < 0) return bytes.length > maxHeadBytes ? other : incomplete;
  if (end + 4 > maxHeadBytes) return other;
  const text = bytes.toString('latin1', 0, end);
  const lineEnd = text.indexOf('\r\n');
  const start = requestLine.exec(lineEnd < 0 ? text : text.slice(0, lineEnd));
  if (!start) return other;
  const rawHeaders: string[] = [];
  // A bare CR or LF, an obs-fold, a space before the colon: node's parser refuses it.
  if (lineEnd >= 0 && readFields(bytes, text, lineEnd + 2, rawHeaders) !== 0) return other;
  let closeAfter = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const lower = (rawHeaders[i] as string).toLowerCase();
    if (notPlain.has(lower)) return other;
    if (lower === 'connection') {
      const says = connectionSays(rawHeaders[i + 1] as string);
      if (says === undefined) return other; // it names headers to drop: node's path does that
      closeAfter ||= says === 'close';
    }
  }
  return {
    kind: 'plain',
    head: {
      method: start[1] as 'GET' | 'HEAD',
      target: start[2] as string,
      rawHeaders,
      length: end + 4,
      closeAfter,
    },
  };
}

/** 'close' or 'keep-alive' when a Connection header says only those; undefined otherwise. */
function connectionSays(value: string): 'close' | 'keep-alive' | undefined {
  let says: 'close' | 'keep-alive' | undefined;
  for (const option of connectionOptions(value)) {
    if (option === 'close') says = 'close';
    else if (option === 'keep-alive') says ??= 'keep-alive';
    else return undefined;
  }
  return says;
}
