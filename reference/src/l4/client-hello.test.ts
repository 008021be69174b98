import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { connect } from 'node:tls';
import { readClientHello } from './client-hello.ts';

/** The first bytes node's TLS client sends, asking for `serverName` (none when undefined). */
async function helloOf(serverName: string | undefined): Promise<Buffer> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect({ port, host: '127.0.0.1', ...(serverName ? { servername: serverName } : {}) });
  client.on('error', () => {});
  const [socket] = await accepted;
  let bytes = Buffer.alloc(0);
  while (readClientHello(bytes).kind === 'incomplete') {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    bytes = Buffer.concat([bytes, chunk]);
  }
  client.destroy();
  socket.destroy();
  server.close();
  return bytes;
}

test('the server name is read from a real ClientHello, whole or not yet', async () => {
  const hello = await helloOf('Api.Example.test');
  assert.deepEqual(readClientHello(hello), { kind: 'hello', serverName: 'api.example.test' });
  for (const cut of [1, 5, 40, hello.length - 1]) {
    assert.deepEqual(readClientHello(hello.subarray(0, cut)), { kind: 'incomplete' }, `cut at ${cut}`);
  }
  assert.deepEqual(readClientHello(await helloOf(undefined)), { kind: 'hello' });
});

test('bytes that are no ClientHello say so at once', () => {
  assert.deepEqual(readClientHello(Buffer.from('GET / HTTP/1.1\r\n')), { kind: 'not-hello' });
  assert.deepEqual(readClientHello(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x02, 0, 0, 1, 0])), {
    kind: 'not-hello',
  });
  // A record that claims more than a record may hold.
  assert.deepEqual(readClientHello(Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff])), { kind: 'not-hello' });
  // A hello whose lengths run past its end.
  assert.deepEqual(
    readClientHello(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x06, 0x01, 0x00, 0x00, 0x02, 0x03, 0x03])),
    {
      kind: 'not-hello',
    },
  );
});

/** A ClientHello's parts, each overridable; lengths are written from the parts unless given. */
interface HelloParts {
  readonly recordType?: number;
  readonly recordVersionMajor?: number;
  readonly handshakeType?: number;
  readonly sessionId?: Buffer;
  readonly extensions?: readonly Buffer[] | undefined;
  /** Overrides the extensions block's length field. */
  readonly extensionsLength?: number;
  /** Bytes after the extensions, inside the handshake message. */
  readonly trailing?: Buffer;
  /** Added to the handshake message's length field, as a hello split over records would claim. */
  readonly messageLengthExtra?: number;
}

const u16 = (value: number): Buffer => Buffer.from([value >> 8, value & 0xff]);

function extension(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), u16(body.length), body]);
}

/** A server_name extension with these entries: [type, name]. */
function serverNames(entries: readonly (readonly [number, string])[]): Buffer {
  const list = Buffer.concat(
    entries.map(([type, name]) => Buffer.concat([Buffer.from([type]), u16(name.length), Buffer.from(name)])),
  );
  return extension(0, Buffer.concat([u16(list.length), list]));
}

function syntheticHello(parts: HelloParts = {}): Buffer {
  const sessionId = parts.sessionId ?? Buffer.alloc(32, 7);
  const fixed = Buffer.concat([
    Buffer.from([0x03, 0x03]),
    Buffer.alloc(32, 1), // random
    Buffer.from([sessionId.length]),
    sessionId,
    u16(4),
    Buffer.from([0x13, 0x01, 0x13, 0x02]), // two cipher suites
    Buffer.from([1, 0]), // compression: null
  ]);
  const extensions = parts.extensions && Buffer.concat(parts.extensions);
  const body = Buffer.concat([
    fixed,
    ...(extensions ? [u16(parts.extensionsLength ?? extensions.length), extensions] : []),
    parts.trailing ?? Buffer.alloc(0),
  ]);
  const claimed = body.length + (parts.messageLengthExtra ?? 0);
  const message = Buffer.concat([
    Buffer.from([parts.handshakeType ?? 1, 0, claimed >> 8, claimed & 0xff]),
    body,
  ]);
  return Buffer.concat([
    Buffer.from([parts.recordType ?? 0x16, parts.recordVersionMajor ?? 0x03, 0x01]),
    u16(message.length),
    message,
  ]);
}

test('the host name is found among other extensions and other kinds of server name', () => {
  const named = syntheticHello({
    extensions: [extension(43, Buffer.from([2, 3, 4])), serverNames([[0, 'A.test']]), extension(10, u16(0))],
  });
  assert.deepEqual(readClientHello(named), { kind: 'hello', serverName: 'a.test' });
  // An entry of another type first (none is defined, but the list allows it) is stepped over.
  const second = syntheticHello({
    sessionId: Buffer.alloc(0),
    extensions: [
      serverNames([
        [7, 'other'],
        [0, 'b.test'],
      ]),
    ],
  });
  assert.deepEqual(readClientHello(second), { kind: 'hello', serverName: 'b.test' });
  assert.deepEqual(readClientHello(syntheticHello({ extensions: [serverNames([[7, 'other']])] })), {
    kind: 'hello',
  });
});

test('a hello without extensions, or whose extensions name no server, has no server name', () => {
  assert.deepEqual(readClientHello(syntheticHello()), { kind: 'hello' });
  assert.deepEqual(readClientHello(syntheticHello({ extensions: [extension(43, Buffer.from([2, 3, 4]))] })), {
    kind: 'hello',
  });
  // An extension header cut short at the end of the block is no extension.
  assert.deepEqual(
    readClientHello(syntheticHello({ extensions: [extension(43, Buffer.alloc(0)), Buffer.from([0, 0, 0])] })),
    { kind: 'hello' },
  );
});

test('a record or message of another kind, or with lengths past its end, is no hello', () => {
  const notHello = { kind: 'not-hello' };
  assert.deepEqual(readClientHello(syntheticHello({ recordType: 0x17 })), notHello);
  assert.deepEqual(readClientHello(syntheticHello({ recordVersionMajor: 0x02 })), notHello);
  assert.deepEqual(readClientHello(syntheticHello({ handshakeType: 2 })), notHello);
  // A hello continued in a second record is not read.
  assert.deepEqual(
    readClientHello(syntheticHello({ extensions: [serverNames([[0, 'a.test']])], messageLengthExtra: 10 })),
    notHello,
  );
  const withName = [serverNames([[0, 'a.test']])];
  assert.deepEqual(
    readClientHello(syntheticHello({ extensions: withName, extensionsLength: 400 })),
    notHello,
  );
  // Two bytes past the end are as wrong as four hundred.
  const exact = Buffer.concat(withName).length;
  assert.deepEqual(
    readClientHello(syntheticHello({ extensions: withName, extensionsLength: exact + 2 })),
    notHello,
  );
  // A server_name extension needs its list; one without is malformed, also as the last extension.
  assert.deepEqual(
    readClientHello(syntheticHello({ extensions: [extension(0, Buffer.alloc(0))] })),
    notHello,
  );
  // The extensions block ends where the message does: exactly fitting is a hello.
  assert.deepEqual(readClientHello(syntheticHello({ extensions: withName })), {
    kind: 'hello',
    serverName: 'a.test',
  });
  // Plain text of fewer than five bytes is known for what it is at once; a handshake's start is not.
  assert.deepEqual(readClientHello(Buffer.from('GET')), notHello);
  assert.deepEqual(readClientHello(Buffer.from([0x16, 0x03])), { kind: 'incomplete' });
  assert.deepEqual(readClientHello(Buffer.alloc(0)), { kind: 'incomplete' });
});

test('a record of exactly the largest size is read; one byte more is not', () => {
  const padding = (size: number) => extension(21, Buffer.alloc(size));
  const base = syntheticHello({ extensions: [serverNames([[0, 'a.test']]), padding(0)] }).length - 5;
  const fits = syntheticHello({ extensions: [serverNames([[0, 'a.test']]), padding(16_384 - base)] });
  assert.equal(fits.length, 5 + 16_384);
  assert.deepEqual(readClientHello(fits), { kind: 'hello', serverName: 'a.test' });
  const over = syntheticHello({ extensions: [serverNames([[0, 'a.test']]), padding(16_385 - base)] });
  assert.deepEqual(readClientHello(over), { kind: 'not-hello' });
});
