import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Relay } from './relay.ts';

/** A loopback server whose connections get `greeting`, and a socket to it that reads through `relay`. */
async function greetedThrough(
  relay: Relay,
  greeting: Buffer,
): Promise<{ source: Socket; close: () => void }> {
  const server = createServer((socket) => socket.end(greeting));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const source = connect({ host: '127.0.0.1', port, onread: relay.onread });
  return { source, close: () => server.close() };
}

/** A connected pair of loopback sockets: what is written to `near` arrives at `far`. */
async function socketPair(): Promise<{ near: Socket; far: Socket; close: () => void }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const near = connect((server.address() as AddressInfo).port, '127.0.0.1');
  const [far] = (await accepted) as [Socket];
  return { near, far, close: () => server.close() };
}

test('bytes read before a destination is named are held, then written first and in order', async () => {
  const relay = new Relay();
  const greeting = Buffer.from('HELLO b1\n'.repeat(1000));
  const { source, close } = await greetedThrough(relay, greeting);
  await once(source, 'end');
  const { near, far, close: closePair } = await socketPair();
  relay.into(source, near);
  near.end();
  const received: Buffer[] = [];
  far.on('data', (chunk: Buffer) => received.push(chunk));
  await once(far, 'end');
  assert.deepEqual(Buffer.concat(received), greeting);
  close();
  closePair();
});

test('a destination that takes nothing stops the reading, and every byte arrives once it drains', async () => {
  const relay = new Relay();
  const payload = Buffer.alloc(32 * 1024 * 1024, 'relay ');
  const { source, close } = await greetedThrough(relay, payload);
  const { near, far, close: closePair } = await socketPair();
  far.pause();
  relay.into(source, near);
  // Far reads nothing: the relay must stop reading long before the payload is all in its memory.
  for (const deadline = Date.now() + 5_000; !source.isPaused(); await delay(10))
    assert.ok(Date.now() < deadline, 'the relay kept reading for 5 s while its destination took nothing');
  assert.ok(
    near.writableLength < 2 * 1024 * 1024,
    `${near.writableLength} bytes were queued for a stalled reader`,
  );
  source.once('end', () => near.end());
  let bytes = 0;
  far.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  far.resume();
  await once(far, 'end');
  assert.equal(bytes, payload.length);
  close();
  closePair();
});
