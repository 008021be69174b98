import { blankLine, connectionOptions, readFields } from './syntax.ts';

/** How the end of an answer's body is found (RFC 9112 6.3). */
export type BodyFraming =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly bytes: number }
  | { readonly kind: 'chunked' }
  | { readonly kind: 'until-close' };

/** A backend's answer head, as read strictly off the wire. */
export interface ResponseHead {
  readonly statusCode: number;
  /** Flat [name, value, ...] as sent, values without surrounding whitespace (latin1 bytes kept). */
  readonly rawHeaders: string[];
  readonly framing: BodyFraming;
  /** Whether the connection may carry another request after this answer. */
  readonly reusable: boolean;
}

/** An answer the fast path will not pass on: the client gets the same treatment as for a reset. */
export class MalformedAnswerError extends Error {}

/** Where an answer's parts go as the reader finds them. */
export interface AnswerSink {
  head(head: ResponseHead): void;
  /** Body bytes as sent: a chunked body's framing is kept, to be passed on verbatim. */
  body(bytes: Buffer): void;
  /** The answer is whole; `surplus` is true when bytes followed it (the connection is spoiled). */
  complete(surplus: boolean): void;
}

const statusLine = /^HTTP\/1\.([01]) ([1-9][0-9]{2})(?: [\t -~\x80-\xff]*)?$/;
const digits = /^[0-9]{1,15}$/;

enum Chunk {
  Size,
  Extension,
  SizeLineEnd,
  Data,
  DataCr,
  DataLf,
  Trailer,
  TrailerLf,
}

/**
 * Reads one answer from a backend connection, chunk by chunk, strictly: a status line and fields
 * as RFC 9112 writes them, one agreed Content-Length or chunked coding (never both), at most
 * `maxHeadBytes` of head. Informational answers (1xx) before the final one are skipped. Anything
 * else throws MalformedAnswerError, and the connection is not to be used again.
 */
export class ResponseReader {
  readonly #sink: AnswerSink;
  readonly #bodyless: boolean;
  readonly #maxHeadBytes: number;
  #pendingHead: Buffer | undefined;
  #framing: BodyFraming | undefined;
  #remaining = 0;
  #chunk = Chunk.Size;
  #sizeDigits = 0;
  #trailerLineBytes = 0;
  #done = false;

  /** `bodyless`: the request was HEAD, so no answer to it has a body whatever it declares. */
  constructor(sink: AnswerSink, bodyless: boolean, maxHeadBytes = 16 * 1024) {
    this.#sink = sink;
    this.#bodyless = bodyless;
    this.#maxHeadBytes = maxHeadBytes;
  }

  /** Whether the answer may end where the connection ends (no length was given). */
  get endsAtClose(): boolean {
    return this.#framing?.kind === 'until-close';
  }

  /** Takes the next bytes the backend sent. */
  push(bytes: Buffer): void {
    if (this.#done) throw new MalformedAnswerError('the backend sent bytes after its answer');
    let offset = 0;
    while (this.#framing === undefined) {
      const at = this.#readHead(bytes, offset);
      if (at < 0) return;
      offset = at;
    }
    this.#readBody(bytes, offset);
  }

  /** The backend closed the connection: whole for an answer that ends at close, broken otherwise. */
  end(): void {
    if (this.#done) return;
    if (this.#framing?.kind !== 'until-close')
      throw new MalformedAnswerError('the backend closed mid-answer');
    this.#finish(false);
  }

  // The offset just past the head read from `bytes`, or -1 when the head is not whole yet.
  #readHead(bytes: Buffer, offset: number): number {
    let data = offset === 0 ? bytes : bytes.subarray(offset);
    if (this.#pendingHead) data = Buffer.concat([this.#pendingHead, data]);
    const end = data.indexOf(blankLine);
    if (end < 0 || end + 4 > this.#maxHeadBytes) {
      if (data.length > this.#maxHeadBytes)
        throw new MalformedAnswerError(`the answer head is over ${this.#maxHeadBytes} bytes`);
      this.#pendingHead = Buffer.from(data);
      return -1;
    }
    const consumedBefore = this.#pendingHead?.length ?? 0;
    this.#pendingHead = undefined;
    const head = parseHead(data, end, this.#bodyless);
    const next = offset + end + 4 - consumedBefore;
    if (head === 'informational') return next;
    this.#framing = head.framing;
    if (head.framing.kind === 'length') this.#remaining = head.framing.bytes;
    this.#sink.head(head);
    return next;
  }

  #readBody(bytes: Buffer, offset: number): void {
    const framing = this.#framing as BodyFraming;
    switch (framing.kind) {
      case 'none':
        this.#finish(offset < bytes.length);
        return;
      case 'until-close':
        if (offset < bytes.length) this.#sink.body(bytes.subarray(offset));
        return;
      case 'length': {
        const take = Math.min(this.#remaining, bytes.length - offset);
        if (take > 0)
          this.#sink.body(
            offset === 0 && take === bytes.length ? bytes : bytes.subarray(offset, offset + take),
          );
        this.#remaining -= take;
        if (this.#remaining === 0) this.#finish(offset + take < bytes.length);
        return;
      }
      case 'chunked': {
        const end = this.#scanChunked(bytes, offset);
        const whole = end >= 0;
        const stop = whole ? end : bytes.length;
        if (stop > offset)
          this.#sink.body(offset === 0 && stop === bytes.length ? bytes : bytes.subarray(offset, stop));
        if (whole) this.#finish(stop < bytes.length);
      }
    }
  }

  // Follows the chunked coding through `bytes`; the offset just past the message's end, or -1.
  #scanChunked(bytes: Buffer, offset: number): number {
    let i = offset;
    while (i < bytes.length) {
      const byte = bytes[i] as number;
      switch (this.#chunk) {
        case Chunk.Size: {
          const digit = hexValue(byte);
          if (digit >= 0) {
            if (++this.#sizeDigits > 12) throw new MalformedAnswerError('a chunk size is too large');
            this.#remaining = this.#remaining * 16 + digit;
          } else if (this.#sizeDigits === 0) {
            throw new MalformedAnswerError('a chunk size is missing');
          } else if (byte === 0x3b) {
            this.#chunk = Chunk.Extension;
          } else if (byte === 0x0d) {
            this.#chunk = Chunk.SizeLineEnd;
          } else {
            throw new MalformedAnswerError('a chunk size is not hexadecimal');
          }
          i++;
          break;
        }
        case Chunk.Extension:
          if (byte === 0x0d) this.#chunk = Chunk.SizeLineEnd;
          else if (byte === 0x7f || (byte < 0x20 && byte !== 0x09))
            // LF among them
            throw new MalformedAnswerError('a chunk extension holds a control character');
          i++;
          break;
        case Chunk.SizeLineEnd:
          if (byte !== 0x0a) throw new MalformedAnswerError('a chunk size line does not end in CRLF');
          this.#sizeDigits = 0;
          this.#chunk = this.#remaining === 0 ? Chunk.Trailer : Chunk.Data;
          this.#trailerLineBytes = 0;
          i++;
          break;
        case Chunk.Data: {
          const take = Math.min(this.#remaining, bytes.length - i);
          this.#remaining -= take;
          i += take;
          if (this.#remaining === 0) this.#chunk = Chunk.DataCr;
          break;
        }
        case Chunk.DataCr:
          if (byte !== 0x0d) throw new MalformedAnswerError('chunk data does not end in CRLF');
          this.#chunk = Chunk.DataLf;
          i++;
          break;
        case Chunk.DataLf:
          if (byte !== 0x0a) throw new MalformedAnswerError('chunk data does not end in CRLF');
          this.#chunk = Chunk.Size;
          i++;
          break;
        case Chunk.Trailer:
          // Trailer fields, each ending in CRLF, then an empty line; passed on as they are.
          if (byte === 0x0d) this.#chunk = Chunk.TrailerLf;
          else if (byte === 0x0a) throw new MalformedAnswerError('a trailer line ends in a bare LF');
          else if (++this.#trailerLineBytes > this.#maxHeadBytes)
            throw new MalformedAnswerError('a trailer line is too long');
          i++;
          break;
        case Chunk.TrailerLf:
          if (byte !== 0x0a) throw new MalformedAnswerError('a trailer line does not end in CRLF');
          i++;
          if (this.#trailerLineBytes === 0) return i;
          this.#trailerLineBytes = 0;
          this.#chunk = Chunk.Trailer;
          break;
      }
    }
    return -1;
  }

  #finish(surplus: boolean): void {
    this.#done = true;
    this.#sink.complete(surplus);
  }
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
}

/**
 * The fields and framing of the head in `bytes` up to `end` (its blank line), or 'informational'
 * for a 1xx to skip; throws when malformed.
 */
function parseHead(bytes: Buffer, end: number, bodyless: boolean): ResponseHead | 'informational' {
  const text = bytes.toString('latin1', 0, end);
  const lineEnd = text.indexOf('\r\n');
  const start = statusLine.exec(lineEnd < 0 ? text : text.slice(0, lineEnd));
  if (!start) throw new MalformedAnswerError('the status line is malformed');
  const statusCode = Number(start[2]);
  if (statusCode === 101) throw new MalformedAnswerError('the backend switched protocols unasked');
  const rawHeaders: string[] = [];
  const badLine = lineEnd < 0 ? 0 : readFields(bytes, text, lineEnd + 2, rawHeaders);
  if (badLine !== 0) throw new MalformedAnswerError(`header line ${badLine} is malformed`);
  let length: string | undefined;
  let chunked = false;
  // Connection options from every Connection header: close wins; HTTP/1.0 closes unless kept alive.
  let saysClose = false;
  let saysKeepAlive = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    // Only these three names matter here; their lengths tell most others apart without lowercasing.
    if (name.length !== 14 && name.length !== 17 && name.length !== 10) continue;
    const value = rawHeaders[i + 1] as string;
    const lower = name.toLowerCase();
    if (lower === 'content-length') {
      if (!digits.test(value) || (length !== undefined && length !== value))
        throw new MalformedAnswerError(`Content-Length "${value}" is not one agreed length`);
      length = value;
    } else if (lower === 'transfer-encoding') {
      if (chunked || value.toLowerCase() !== 'chunked')
        throw new MalformedAnswerError(`Transfer-Encoding "${value}" is not chunked alone`);
      chunked = true;
    } else if (lower === 'connection') {
      const options = connectionOptions(value);
      saysClose ||= options.includes('close');
      saysKeepAlive ||= options.includes('keep-alive');
    }
  }
  if (statusCode < 200) return 'informational';
  if (chunked && length !== undefined)
    throw new MalformedAnswerError('the answer has both Content-Length and Transfer-Encoding');
  const framing: BodyFraming =
    bodyless || statusCode === 204 || statusCode === 304
      ? { kind: 'none' }
      : chunked
        ? { kind: 'chunked' }
        : length !== undefined
          ? { kind: 'length', bytes: Number(length) }
          : { kind: 'until-close' };
  const close = saysClose || (start[1] === '0' && !saysKeepAlive);
  return { statusCode, rawHeaders, framing, reusable: !close && framing.kind !== 'until-close' };
}
