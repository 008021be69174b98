import assert from 'node:assert/strict';
import { type AddressInfo, createServer } from 'node:net';
import { test } from 'node:test';
import {
  errorCode,
  getRequest,
  openRawHttp2,
  resetStream,
  streamOutcomes,
} from '../../../harness/clients/h2-frames.ts';
import { http1Headers, http2Front, protocolByPreface } from './http2-front.ts';

const preface = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

test('the preface tells HTTP/2 from HTTP/1.1, waiting while the bytes so far could be either', () => {
  assert.equal(protocolByPreface(Buffer.from(preface)), 'h2');
  assert.equal(protocolByPreface(Buffer.from(`${preface}\0\0\x12\x04`)), 'h2');
  assert.equal(protocolByPreface(Buffer.from('PRI * HTTP')), undefined);
  assert.equal(protocolByPreface(Buffer.from('P')), undefined);
  assert.equal(protocolByPreface(Buffer.from('POST / HTTP/1.1\r\n')), 'http/1.1');
  assert.equal(protocolByPreface(Buffer.from('GET / HTTP/1.1\r\n')), 'http/1.1');
  assert.equal(protocolByPreface(Buffer.from('PRI * HTTP/1.1\r\n\r\n')), 'http/1.1');
});

test('an HTTP/2 request goes upstream with :authority as its one Host and its cookie fields joined', () => {
  const raw = [':method', 'GET', ':authority', 'shop.example', ':path', '/a', ':scheme', 'https'];
  assert.deepEqual(
    http1Headers([...raw, 'cookie', 'a=1', 'accept', '*/*', 'cookie', 'b=2', 'host', 'other.example']),
    ['host', 'shop.example', 'cookie', 'a=1; b=2', 'accept', '*/*'],
  );
  // Without :authority, a Host field the client sent stands.
  assert.deepEqual(http1Headers([':method', 'GET', ':path', '/', 'host', 'h.example']), [
    'host',
    'h.example',
  ]);
  assert.deepEqual(http1Headers([':method', 'GET', ':path', '/']), []);
  // A value that happens to read "cookie" is not a field name.
  assert.deepEqual(http1Headers(['x-name', 'cookie', 'cookie', 'c=3']), [
    'x-name',
    'cookie',
    'cookie',
    'c=3',
  ]);
});

test('a stream its client reset counts against the limit until its request is over (rapid reset)', async () => {
  const held: (() => void)[] = [];
  let closedByClient = 0;
  const front = http2Front((_request, response, over) => {
    response.once('close', () => closedByClient++);
    if (over) held.push(over);
  }, http1Headers);
  const server = createServer((socket) => front.serve(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const connection = await openRawHttp2(address, undefined, 5_000);
  try {
    const limit = connection.maxConcurrentStreams ?? 0;
    assert.equal(limit, 100);
    const ids = Array.from({ length: limit }, (_, i) => 2 * i + 1);
    await connection.write(Buffer.concat(ids.map((id) => getRequest(id, 'localhost', '/', 'http'))));
    await until(() => held.length === limit);
    await connection.write(Buffer.concat(ids.map((id) => resetStream(id, errorCode.cancel))));
    await until(() => closedByClient === limit);
    // Reset, but their requests are not over: the next stream is refused.
    const next = 2 * limit + 1;
    await connection.write(getRequest(next, 'localhost', '/', 'http'));
    await connection.until((received) => received.some((frame) => frame.streamId === next), 5_000);
    assert.deepEqual(streamOutcomes(connection.received).resetBy, new Map([[errorCode.refusedStream, 1]]));
    // Once one is over, a stream is taken again.
    held[0]?.();
    await connection.write(getRequest(next + 2, 'localhost', '/', 'http'));
    await until(() => held.length === limit + 1);
  } finally {
    connection.close();
    server.close();
  }
});

async function until(done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 5_000; !done(); ) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
