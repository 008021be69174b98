import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, test } from 'node:test';
import { Client } from 'undici';
import { getStatus } from './status-only.ts';

// A server that writes each answer byte for byte: interim answers before the final one included.
const answers = [
  'HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nX-Backend-Id: b2\r\nContent-Length: 5\r\n\r\nhello',
  'HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.1 200 OK\r\nX-Backend-Id: b1\r\nx-backend-id: b3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
];
const server = createServer((socket) => {
  let next = 0;
  socket.on('data', (bytes) => {
    if (bytes.includes('\r\n\r\n')) socket.write(answers[next++ % answers.length] as string);
  });
}).listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as { port: number };
const client = new Client(`http://127.0.0.1:${port}`);
after(async () => {
  await client.close();
  server.close();
});

test('the final status and the header asked for, past interim answers, bodies read whole', async () => {
  assert.deepEqual(await getStatus(client, '/', {}, 'x-backend-id'), { status: 200, header: 'b2' });
  assert.deepEqual(await getStatus(client, '/', { 'x-api-key': 'k' }), { status: 429, header: undefined });
  assert.deepEqual(await getStatus(client, '/', {}, 'x-backend-id'), { status: 200, header: 'b1, b3' });
});
