import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { sendHeldWrites, writeAtTurnEnd } from './turn-writes.ts';

/** A connected pair of sockets on loopback and everything the server side reads, once it closes. */
async function socketPair(): Promise<{ client: Socket; received: Promise<string> }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  await once(client, 'connect');
  const [peer] = await accepted;
  server.close();
  const received = new Promise<string>((resolve) => {
    let text = '';
    peer.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
    });
    peer.on('error', () => {});
    peer.on('close', () => resolve(text));
  });
  return { client, received };
}

test('writes wait for the end of the turn, then go in order', async () => {
  const { client, received } = await socketPair();
  writeAtTurnEnd(client, 'one,', 'latin1');
  writeAtTurnEnd(client, Buffer.from('two'));
  assert.equal(client.writableCorked, 1, 'held once, however many writes');
  assert.equal(client.writableLength, 7, 'nothing sent yet');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(client.writableCorked, 0);
  client.end();
  assert.equal(await received, 'one,two');
});

test('end() sends what is held first', async () => {
  const { client, received } = await socketPair();
  writeAtTurnEnd(client, 'answer');
  client.end();
  assert.equal(await received, 'answer');
});

test('what is held is sent before a destroy when asked, and is not sent twice', async () => {
  const { client, received } = await socketPair();
  writeAtTurnEnd(client, 'last words');
  sendHeldWrites(client);
  assert.equal(client.writableCorked, 0);
  client.destroy();
  assert.equal(await received, 'last words');
  await new Promise((resolve) => setImmediate(resolve)); // the turn's release finds nothing held
});
