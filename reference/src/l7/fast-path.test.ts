import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { after, before, test } from 'node:test';
import { PortAllocator } from '../../../harness/processes/ports.ts';
import { Balancer } from '../balancer.ts';
import { parseConfig } from '../config/load.ts';

const ports = new PortAllocator(17);
const backends: Server[] = [];
let balancer: Balancer | undefined;
let listener = '';

/** A backend that names itself in x-backend-id. */
async function namedBackend(id: string): Promise<string> {
  const server = createServer((_, response) => response.writeHead(200, { 'x-backend-id': id }).end(id));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  backends.push(server);
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  listener = `127.0.0.1:${await ports.allocate()}`;
  // Pools that retry are node's to serve: each connection's first request is handed over.
  const pool = async (id: string) => ({
    backends: [{ id, address: await namedBackend(id) }],
    retries: { attempts: 1 },
  });
  const config = {
    version: 1,
    listeners: [
      {
        name: 'web',
        protocol: 'http',
        address: listener,
        routes: [
          {
            name: 'halves',
            match: {},
            split: [
              { pool: 'a', weight: 1 },
              { pool: 'b', weight: 1 },
            ],
          },
        ],
      },
    ],
    pools: { a: await pool('a'), b: await pool('b') },
  };
  balancer = await Balancer.start(parseConfig(JSON.stringify(config), 'test'), 'test');
});

after(async () => {
  await balancer?.close(1_000);
  for (const server of backends) server.close();
});

/** One GET on a connection of its own; the backend that answered it. */
function answeredBy(): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(listener.split(':')[1]), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(/x-backend-id: (\w+)/i.exec(answer)?.[1] ?? `no backend in ${answer}`));
    socket.write('GET / HTTP/1.1\r\nHost: app.example\r\nConnection: close\r\n\r\n');
  });
}

test('a request the fast path routes and hands over is routed once: a split rotates once per request', async () => {
  const seen: string[] = [];
  for (let i = 0; i < 8; i++) seen.push(await answeredBy());
  assert.deepEqual(seen, ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
});
