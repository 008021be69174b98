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
