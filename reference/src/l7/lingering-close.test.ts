import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { test } from 'node:test';
import { closeLingeringly } from './lingering-close.ts';

test('a client still sending its body reads the refusal, and the connection ends cleanly', async () => {
  const server = createServer((request, response) => {
    response.setHeader('connection', 'close');
    closeLingeringly(request);
    response.writeHead(413, { 'content-length': 0 });
    response.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    for (let round = 0; round < 5; round++) {
      const socket = connect(port, '127.0.0.1');
      let received = '';
      let failure: Error | undefined;
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
      });
      socket.on('error', (error) => {
        failure = error;
      });
      const bodyBytes = 8 * 1024 * 1024;
      // All at once, without waiting for the answer: the worst client the close must survive.
      socket.write(`POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ${bodyBytes}\r\n\r\n`);
      socket.write(Buffer.alloc(bodyBytes, 'x'));
      await once(socket, 'close');
      assert.match(received, /^HTTP\/1\.1 413 /, `round ${round}: ${failure?.message ?? 'no error'}`);
      assert.equal(failure, undefined, `round ${round}: the connection was reset`);
    }
  } finally {
    server.close();
  }
});

test('a client that never finishes its body is cut off after the linger time', async () => {
  const server = createServer((request, response) => {
    response.setHeader('connection', 'close');
    closeLingeringly(request, 200);
    response.writeHead(413, { 'content-length': 0 });
    response.end();
  });
  const serverSideClosed = new Promise<number>((resolve) =>
    server.once('connection', (socket) => socket.once('close', () => resolve(performance.now()))),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  // A client that keeps its side open after the balancer's half-close, as one still sending would.
  const socket = connect({
    port: (server.address() as AddressInfo).port,
    host: '127.0.0.1',
    allowHalfOpen: true,
  });
  try {
    socket.on('error', () => {});
    socket.resume();
    const startedMs = performance.now();
    socket.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\nxx');
    const tookMs = (await serverSideClosed) - startedMs;
    assert.ok(tookMs >= 150, `closed after ${tookMs} ms, before the 200 ms linger time`);
  } finally {
    socket.destroy();
    server.close();
  }
});
