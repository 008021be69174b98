import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import {
  answerStatus,
  errorCode,
  frameType,
  getFields,
  getRequest,
  headerFrames,
  openRawHttp2,
  repeatedField,
  resetStream,
  streamOutcomes,
} from '../../../harness/clients/h2-frames.ts';
import { http1Headers, http2Front, protocolByPreface, sniffPreface } from './http2-front.ts';

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

test('a preface that comes in pieces is told once whole, and every byte read is put back', async () => {
  const told: string[] = [];
  const server = createServer((socket: Socket) => {
    let chunks = 0;
    // Seen beside the sniffer: the second piece is sent once the first has been read.
    socket.on('data', () => {
      chunks++;
      if (chunks === 1) client.write(preface.slice(10));
    });
    sniffPreface(socket, (protocol) => {
      told.push(protocol);
      socket.once('data', (bytes: Buffer) => {
        told.push(bytes.toString('latin1'));
        socket.destroy();
      });
      socket.resume();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  client.on('error', () => {});
  client.write(preface.slice(0, 10));
  await once(client, 'close');
  server.close();
  assert.deepEqual(told, ['h2', preface]);
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
  const front = http2Front(
    (_request, response, over) => {
      response.once('close', () => closedByClient++);
      if (over) held.push(over);
    },
    { headersUpstream: http1Headers },
  );
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

test("a request's header list is bounded as decoded: maxHeaderBytes, else HTTP/1.1's 16 KiB", async () => {
  const outcome = async (maxHeaderBytes: number | undefined, fieldBytes: number, references: number) => {
    const front = http2Front((_request, response) => response.end(), {
      headersUpstream: http1Headers,
      maxHeaderBytes,
    });
    const server = createServer((socket) => front.serve(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const connection = await openRawHttp2(
      `127.0.0.1:${(server.address() as AddressInfo).port}`,
      undefined,
      5_000,
    );
    try {
      const block = Buffer.concat([
        getFields('localhost', '/', 'http'),
        repeatedField('x-r', 'r'.repeat(fieldBytes), references),
      ]);
      await connection.write(headerFrames(1, block, true));
      await connection.until((received) => received.some((frame) => frame.streamId === 1), 5_000);
      const reset = connection.received.some(
        (frame) => frame.type === frameType.rstStream && frame.streamId === 1,
      );
      return reset ? 'reset' : answerStatus(connection.received, 1);
    } finally {
      connection.close();
      server.close();
    }
  };
  // 12 KB decoded from 4 KB sent: over 8192, within node's HTTP/1.1 bound of 16 KiB.
  assert.equal(await outcome(8192, 4000, 2), 'reset');
  assert.equal(await outcome(8192, 4000, 0), 200);
  assert.equal(await outcome(undefined, 4000, 2), 200);
  assert.equal(await outcome(undefined, 4000, 4), 'reset');
});

test('the status of an answer reads from static entries and literals, plain or Huffman-coded', () => {
  const headers = (block: number[]) => [
    { type: frameType.headers, flags: 4, streamId: 1, payload: Buffer.from(block) },
  ];
  assert.equal(answerStatus(headers([0x88]), 1), 200);
  assert.equal(answerStatus(headers([0x8d]), 1), 404);
  // "431" as a literal with incremental indexing naming entry 14, after a table size update.
  assert.equal(answerStatus(headers([0x3f, 0xe1, 0x1f, 0x4e, 0x03, 0x34, 0x33, 0x31]), 1), 431);
  // "502" Huffman-coded: 011011 00000 00010.
  assert.equal(answerStatus(headers([0x48, 0x82, 0x6c, 0x02]), 1), 502);
  assert.equal(answerStatus(headers([0x88]), 3), undefined);
});

async function until(done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 5_000; !done(); ) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
