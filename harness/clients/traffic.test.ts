import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { openClient } from './traffic.ts';

/**
 * A keep-alive HTTP server that drops, unanswered, the request number `dropAt` (1-based) of its
 * first connection, and answers everything else. It records the request ids it was sent.
 */
async function serverDroppingOnFirstConnection(dropAt: number) {
  const seen: string[] = [];
  let connections = 0;
  const server = createServer((socket: Socket) => {
    const connection = ++connections;
    let requests = 0;
    socket.on('data', (chunk) => {
      for (const head of chunk.toString('latin1').split('\r\n\r\n').filter(Boolean)) {
        requests++;
        seen.push(/x-request-id: (\S+)/i.exec(head)?.[1] ?? '?');
        if (connection === 1 && requests === dropAt) {
          socket.destroy();
          return;
        }
        const body = JSON.stringify({ id: 'b1' });
        socket.write(`HTTP/1.1 200 OK\r\nx-backend-id: b1\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { address: `127.0.0.1:${port}`, seen, close: () => server.close() };
}

test('a GET lost when a reused connection closes is sent again, and the first attempt is recorded', async () => {
  const server = await serverDroppingOnFirstConnection(2);
  const client = openClient(server.address, 'http', 7, {}, { retryOnIdleClose: true });
  try {
    const first = await client.exchange(0);
    const second = await client.exchange(1);
    assert.equal(first.firstAttempt, undefined);
    assert.equal(second.status, 200);
    assert.equal(second.backendId, 'b1');
    assert.equal(second.firstAttempt?.requestId, 'c7-r1');
    assert.match(second.firstAttempt?.error ?? '', /^(UND_ERR_SOCKET|ECONNRESET)/);
    assert.deepEqual(server.seen, ['c7-r0', 'c7-r1', 'c7-r1-again']);
  } finally {
    await client.close();
    server.close();
  }
});

test('a request lost on a fresh connection is not sent again', async () => {
  const server = await serverDroppingOnFirstConnection(1);
  const client = openClient(server.address, 'http', 0, {}, { retryOnIdleClose: true });
  try {
    const first = await client.exchange(0);
    assert.ok(first.error, 'the lost request is reported as failed');
    assert.equal(first.firstAttempt, undefined);
    assert.deepEqual(server.seen, ['c0-r0']);
  } finally {
    await client.close();
    server.close();
  }
});

test('a POST lost on a reused connection is not sent again: it is not idempotent', async () => {
  const server = await serverDroppingOnFirstConnection(2);
  const client = openClient(server.address, 'http', 0, { method: 'POST' }, { retryOnIdleClose: true });
  try {
    await client.exchange(0);
    const second = await client.exchange(1);
    assert.ok(second.error, 'the lost request is reported as failed');
    assert.deepEqual(server.seen, ['c0-r0', 'c0-r1']);
  } finally {
    await client.close();
    server.close();
  }
});

test('without the manner, no request is ever sent again', async () => {
  const server = await serverDroppingOnFirstConnection(2);
  const client = openClient(server.address, 'http', 0);
  try {
    await client.exchange(0);
    const second = await client.exchange(1);
    assert.ok(second.error);
    assert.deepEqual(server.seen, ['c0-r0', 'c0-r1']);
  } finally {
    await client.close();
    server.close();
  }
});
