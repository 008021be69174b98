// The server name (SNI) a TLS client asks for, read from its ClientHello without taking part in
// the handshake: the bytes are only looked at, and go on to the backend as they came.

/** What the first bytes of a connection say so far. */
export type HelloReading =
  | { readonly kind: 'incomplete' }
  /** A whole ClientHello; `serverName` absent when it named none. */
  | { readonly kind: 'hello'; readonly serverName?: string }
  /** Not a TLS ClientHello (plain text, another record type, a malformed one). */
  | { readonly kind: 'not-hello' };

// A ClientHello fits in one record: up to 2^14 bytes of payload (RFC 8446 5.1) after a 5-byte header.
const maxRecordBytes = 5 + 16_384;

/** Reads the ClientHello at the start of `bytes`, the first bytes a client sent. */
export function readClientHello(bytes: Buffer): HelloReading {
  if (bytes.length < 5)
    return bytes.length > 0 && bytes[0] !== 0x16 ? { kind: 'not-hello' } : { kind: 'incomplete' };
  // Record: type 22 (handshake), legacy version 3.x, length.
  if (bytes[0] !== 0x16 || bytes[1] !== 0x03) return { kind: 'not-hello' };
  const recordLength = bytes.readUInt16BE(3);
  if (5 + recordLength > maxRecordBytes) return { kind: 'not-hello' };
  if (bytes.length < 5 + recordLength) return { kind: 'incomplete' };
  try {
    return helloIn(bytes.subarray(5, 5 + recordLength));
  } catch {
    return { kind: 'not-hello' };
  }
}

/** The handshake message in one record: type 1 (ClientHello) with its fields (RFC 8446 4.1.2). */
function helloIn(message: Buffer): HelloReading {
  if (message[0] !== 0x01) return { kind: 'not-hello' };
  const end = 4 + message.readUIntBE(1, 3);
  // A ClientHello split over several records is legal but unseen in practice: not read here.
  if (end > message.length) return { kind: 'not-hello' };
  let at = 4 + 2 + 32; // legacy version, random
  at += 1 + message.readUInt8(at); // session id
  at += 2 + message.readUInt16BE(at); // cipher suites
  at += 1 + message.readUInt8(at); // compression methods
  if (at === end) return { kind: 'hello' }; // no extensions at all
  const extensionsEnd = at + 2 + message.readUInt16BE(at);
  at += 2;
  if (extensionsEnd > end) return { kind: 'not-hello' };
  while (at + 4 <= extensionsEnd) {
    const type = message.readUInt16BE(at);
    const length = message.readUInt16BE(at + 2);
    at += 4;
    if (type === 0) return { kind: 'hello', ...hostNameIn(message.subarray(at, at + length)) };
    at += length;
  }
  return { kind: 'hello' };
}

/** server_name extension (RFC 6066 3): a list whose host_name entry (type 0) is the name. */
function hostNameIn(extension: Buffer): { serverName?: string } {
  const listEnd = 2 + extension.readUInt16BE(0);
  for (let at = 2; at + 3 <= listEnd; ) {
    const type = extension.readUInt8(at);
    const length = extension.readUInt16BE(at + 1);
    if (type === 0)
      return {
        serverName: extension
          .subarray(at + 3, at + 3 + length)
          .toString('ascii')
          .toLowerCase(),
      };
    at += 3 + length;
  }
  return {};
}
