// HTTP/2 written frame by frame, for the clients no library would be: those that open more streams
// than the server allows, reset each stream as soon as it is opened, never end a header block, or
// make a few bytes decode to megabytes (RFC 9113 framing; header blocks as HPACK literals and
// references to them, RFC 7541 6.1 and 6.2, which every decoder must read).
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { splitHostPort } from './net.ts';

const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export const frameType = {
  data: 0,
  headers: 1,
  rstStream: 3,
  settings: 4,
  goaway: 7,
  continuation: 9,
} as const;
const flags = { endStream: 0x1, ack: 0x1, endHeaders: 0x4 } as const;
const settingMaxConcurrentStreams = 0x3;
/** RST_STREAM and GOAWAY error codes (RFC 9113 7). */
export const errorCode = { noError: 0, protocolError: 1, cancel: 8, refusedStream: 7 } as const;

/** One frame as read. */
export interface Frame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

/** A frame's bytes. */
export function frame(
  type: number,
  frameFlags: number,
  streamId: number,
  payload: Buffer = Buffer.alloc(0),
): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head.writeUInt8(type, 3);
  head.writeUInt8(frameFlags, 4);
  head.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([head, payload]);
}

/** An HPACK integer with an n-bit prefix (RFC 7541 5.1), the prefix's other bits zero. */
function hpackInteger(value: number, prefixBits: number): Buffer {
  const limit = (1 << prefixBits) - 1;
  if (value < limit) return Buffer.from([value]);
  const bytes = [limit];
  let rest = value - limit;
  while (rest >= 128) {
    bytes.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

function hpackString(text: string): Buffer {
  const bytes = Buffer.from(text, 'latin1');
  return Buffer.concat([hpackInteger(bytes.length, 7), bytes]);
}

/** A header block of literals without indexing, new names, no Huffman coding. */
export function headerBlock(fields: readonly (readonly [string, string])[]): Buffer {
  return Buffer.concat(
    fields.flatMap(([name, value]) => [Buffer.from([0]), hpackString(name), hpackString(value)]),
  );
}

/**
 * A field added to the decoder's table (literal with incremental indexing, new name), then named
 * `references` more times by its index, one byte each: the field decodes `references + 1` times.
 * It must fit the table (name + value + 32 octets within the default 4096) to be indexed.
 */
export function repeatedField(name: string, value: string, references: number): Buffer {
  // The newest entry of the dynamic table has index 62, the first after the static table's 61.
  const newestEntry = 0x80 | 62;
  return Buffer.concat([
    Buffer.from([0x40]),
    hpackString(name),
    hpackString(value),
    Buffer.alloc(references, newestEntry),
  ]);
}

/** The pseudo-header fields of a GET of `path`. */
export function getFields(authority: string, path: string, scheme: 'http' | 'https'): Buffer {
  return headerBlock([
    [':method', 'GET'],
    [':scheme', scheme],
    [':authority', authority],
    [':path', path],
  ]);
}

/** The largest frame payload a peer must accept before its SETTINGS say more (RFC 9113 4.2). */
const defaultMaxFrameSize = 16_384;

/**
 * The frames that carry header block `block` on stream `streamId`: HEADERS, then as many
 * CONTINUATION frames as the default frame size needs, the last with END_HEADERS.
 */
export function headerFrames(streamId: number, block: Buffer, endStream: boolean): Buffer {
  const frames: Buffer[] = [];
  for (let at = 0; at === 0 || at < block.length; at += defaultMaxFrameSize) {
    const fragment = block.subarray(at, at + defaultMaxFrameSize);
    const last = at + defaultMaxFrameSize >= block.length;
    const type = at === 0 ? frameType.headers : frameType.continuation;
    const frameFlags = (last ? flags.endHeaders : 0) | (at === 0 && endStream ? flags.endStream : 0);
    frames.push(frame(type, frameFlags, streamId, fragment));
  }
  return Buffer.concat(frames);
}

/** HEADERS that open stream `streamId` with a GET of `path` and end it (no body). */
export function getRequest(
  streamId: number,
  authority: string,
  path: string,
  scheme: 'http' | 'https',
): Buffer {
  return headerFrames(streamId, getFields(authority, path, scheme), true);
}

/** HEADERS that open stream `streamId` with a GET of `path` and leave its header block open. */
export function unfinishedGet(
  streamId: number,
  authority: string,
  path: string,
  scheme: 'http' | 'https',
): Buffer {
  return frame(frameType.headers, flags.endStream, streamId, getFields(authority, path, scheme));
}

/** A CONTINUATION of stream `streamId`'s header block that does not end it. */
export function continuation(streamId: number, fragment: Buffer): Buffer {
  return frame(frameType.continuation, 0, streamId, fragment);
}

export function resetStream(streamId: number, code: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(code);
  return frame(frameType.rstStream, 0, streamId, payload);
}

/** A connection speaking raw frames, and what the server has said on it so far. */
export interface RawHttp2Connection {
  /** SETTINGS_MAX_CONCURRENT_STREAMS as the server's first SETTINGS gave it; undefined: no limit. */
  readonly maxConcurrentStreams: number | undefined;
  readonly scheme: 'http' | 'https';
  /** Frames the server sent, in order (SETTINGS acknowledged as they come). */
  readonly received: readonly Frame[];
  /** Whether the server has closed the connection. */
  readonly closed: boolean;
  write(bytes: Buffer): Promise<void>;
  /** Resolves once `done` holds over the frames received, or the connection closes, or `timeoutMs` passes. */
  until(done: (received: readonly Frame[]) => boolean, timeoutMs: number): Promise<void>;
  close(): void;
}

/**
 * Opens a connection, sends the preface and empty SETTINGS, and waits for the server's SETTINGS
 * (over TLS, ALPN h2 trusting `tls.caPem`; in cleartext, prior knowledge).
 */
export async function openRawHttp2(
  address: string,
  tls: { readonly caPem: string; readonly serverName: string } | undefined,
  timeoutMs: number,
): Promise<RawHttp2Connection> {
  const { host, port } = splitHostPort(address);
  const socket: Socket = tls
    ? connectTls({ host, port, ca: tls.caPem, servername: tls.serverName, ALPNProtocols: ['h2'] })
    : connectTcp({ host, port });
  // Each write goes out as it is made: a flood's frames reach the server in the order and the
  // batches the scenario wrote them, not merged by Nagle's algorithm.
  socket.setNoDelay(true);
  const received: Frame[] = [];
  let closed = false;
  let unread = Buffer.alloc(0);
  let maxConcurrentStreams: number | undefined;
  let settled = false;
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const waiter of waiters) waiter();
  };
  socket.on('data', (bytes: Buffer) => {
    unread = Buffer.concat([unread, bytes]);
    while (unread.length >= 9) {
      const length = unread.readUIntBE(0, 3);
      if (unread.length < 9 + length) break;
      const read: Frame = {
        type: unread.readUInt8(3),
        flags: unread.readUInt8(4),
        streamId: unread.readUInt32BE(5) & 0x7fffffff,
        payload: unread.subarray(9, 9 + length),
      };
      unread = unread.subarray(9 + length);
      received.push(read);
      if (read.type === frameType.settings && !(read.flags & flags.ack)) {
        for (let at = 0; at + 6 <= read.payload.length; at += 6) {
          if (!settled && read.payload.readUInt16BE(at) === settingMaxConcurrentStreams)
            maxConcurrentStreams = read.payload.readUInt32BE(at + 2);
        }
        settled = true;
        if (!socket.destroyed) socket.write(frame(frameType.settings, flags.ack, 0));
      }
    }
    wake();
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
    wake();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once(tls ? 'secureConnect' : 'connect', resolve);
    socket.once('error', reject);
  });
  if (tls && (socket as ReturnType<typeof connectTls>).alpnProtocol !== 'h2') {
    socket.destroy();
    throw new Error('the server did not select h2 over ALPN');
  }
  socket.write(Buffer.concat([preface, frame(frameType.settings, 0, 0)]));
  const connection: RawHttp2Connection = {
    get maxConcurrentStreams() {
      return maxConcurrentStreams;
    },
    scheme: tls ? 'https' : 'http',
    received,
    get closed() {
      return closed;
    },
    write: (bytes) =>
      new Promise((resolve) => {
        if (socket.destroyed) resolve();
        else socket.write(bytes, () => resolve());
      }),
    until: (done, waitMs) =>
      new Promise((resolve) => {
        const check = (): void => {
          if (!closed && !done(received)) return;
          finish();
        };
        const timer = setTimeout(() => finish(), waitMs);
        const finish = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    close: () => socket.destroy(),
  };
  await connection.until(() => settled, timeoutMs);
  if (!settled) {
    socket.destroy();
    throw new Error(`no SETTINGS from the server within ${timeoutMs} ms`);
  }
  return connection;
}

/** What came back on each stream: its answer's status, or how it was refused; and whether the connection went away. */
export interface StreamOutcomes {
  /** Streams whose HEADERS carried a :status (decoded only as "answered": HPACK state is not kept). */
  readonly answered: number;
  /** Streams the server reset, by error code. */
  readonly resetBy: ReadonlyMap<number, number>;
  readonly goaway: boolean;
}

/** Counts what the server said, stream by stream. */
export function streamOutcomes(received: readonly Frame[]): StreamOutcomes {
  const answered = new Set<number>();
  const resetBy = new Map<number, number>();
  let goaway = false;
  for (const read of received) {
    if (read.type === frameType.headers && read.streamId !== 0) answered.add(read.streamId);
    if (read.type === frameType.rstStream && read.payload.length >= 4) {
      const code = read.payload.readUInt32BE(0);
      resetBy.set(code, (resetBy.get(code) ?? 0) + 1);
    }
    if (read.type === frameType.goaway) goaway = true;
  }
  return { answered: answered.size, resetBy, goaway };
}

/** The HPACK static table's :status entries (RFC 7541 Appendix A). */
const staticStatus = new Map([
  [8, 200],
  [9, 204],
  [10, 206],
  [11, 304],
  [12, 400],
  [13, 404],
  [14, 500],
]);

/** Huffman codes of the digits (RFC 7541 Appendix B): 0-2 in 5 bits, 3-9 in 6. */
const digitCodes = [
  '00000',
  '00001',
  '00010',
  '011001',
  '011010',
  '011011',
  '011100',
  '011101',
  '011110',
  '011111',
];

function huffmanDigits(bytes: Buffer): string | undefined {
  let bits = [...bytes].map((byte) => byte.toString(2).padStart(8, '0')).join('');
  let digits = '';
  for (;;) {
    const digit = digitCodes.findIndex((code) => bits.startsWith(code));
    if (digit < 0) break;
    digits += String(digit);
    bits = bits.slice(digitCodes[digit]?.length);
  }
  // What is left is padding: fewer than 8 bits, all ones (RFC 7541 5.2).
  return bits.length < 8 && /^1*$/.test(bits) ? digits : undefined;
}

/**
 * The status of stream `streamId`'s first answer, when its HEADERS begin with :status as a server
 * writes it on a fresh connection (a static-table entry, or a literal naming one, plain or
 * Huffman-coded); undefined when the stream has no answer or it is written otherwise.
 */
export function answerStatus(received: readonly Frame[], streamId: number): number | undefined {
  const head = received.find((read) => read.type === frameType.headers && read.streamId === streamId);
  if (!head) return undefined;
  let block = head.payload;
  // PADDED (0x8) and PRIORITY (0x20) put fields before the header block.
  if (head.flags & 0x8) block = block.subarray(1, block.length - (block[0] ?? 0));
  if (head.flags & 0x20) block = block.subarray(5);
  // A dynamic table size update may come first (001xxxxx, a 5-bit prefix integer, RFC 7541 6.3).
  while (((block[0] ?? 0) & 0xe0) === 0x20) {
    let end = 1;
    if (((block[0] ?? 0) & 0x1f) === 0x1f) while ((block[end++] ?? 0) & 0x80);
    block = block.subarray(end);
  }
  const first = block[0] ?? 0;
  if (first & 0x80) return staticStatus.get(first & 0x7f);
  // Literals with an indexed name: incremental indexing (6-bit index), without or never indexed (4-bit).
  const nameIndex = first & 0x40 ? first & 0x3f : first & 0x0f;
  // Entries 8 to 14 all name :status.
  if (!staticStatus.has(nameIndex)) return undefined;
  const length = (block[1] ?? 0) & 0x7f;
  const value = block.subarray(2, 2 + length);
  const text = (block[1] ?? 0) & 0x80 ? huffmanDigits(value) : value.toString('latin1');
  return text !== undefined && /^\d{3}$/.test(text) ? Number(text) : undefined;
}
